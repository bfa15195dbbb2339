-- Version 4: handling codes (H0-H3, Europol style) and their notes on every record.
ALTER TABLE documents ADD COLUMN handling TEXT NOT NULL DEFAULT 'H0';
ALTER TABLE documents ADD COLUMN handling_note TEXT;
ALTER TABLE vehicles ADD COLUMN handling TEXT NOT NULL DEFAULT 'H0';
ALTER TABLE vehicles ADD COLUMN handling_note TEXT;
