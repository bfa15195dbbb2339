//! Integration tests: the real `palermo` binary, real SQLite files, real HTTP on loopback.

mod access;
mod api;
mod attacks;
mod cases;
mod cli;
mod durability;
mod failures;
mod frontline;
mod import;
mod messages;
mod notices;
mod persons;
mod postgres_crash;
mod public;
mod security;
mod support;
mod web;
