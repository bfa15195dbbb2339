//! Parsing JSON input so that errors say where: a syntax error by line and column, a value of
//! the wrong type or an unknown field by its path (`documents[3].number`). The API's bodies and
//! the JSONL import both parse through here.

use serde::de::DeserializeOwned;

#[derive(Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not well-formed JSON.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// Well-formed, but a value does not fit; `path` is empty at the root.
    Data { path: String, message: String },
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Syntax {
                line,
                column,
                message,
            } => write!(
                f,
                "malformed JSON at line {line} column {column}: {message}"
            ),
            JsonError::Data { path, message } if path.is_empty() => f.write_str(message),
            JsonError::Data { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

/// serde_json ends its messages with " at line L column C"; the error carries those apart.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned()
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            JsonError::Data {
                path: if path == "." { String::new() } else { path },
                message: without_position(&inner),
            }
        } else {
            JsonError::Syntax {
                line: inner.line(),
                column: inner.column(),
                message: without_position(&inner),
            }
        }
    })?;
    deserializer.end().map_err(|error| JsonError::Syntax {
        line: error.line(),
        column: error.column(),
        message: without_position(&error),
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        number: String,
    }

    #[test]
    fn errors_say_where() {
        let error = parse::<Body>(br#"{"items": [{"number": "A"}, {"number": 7}]}"#).unwrap_err();
        assert!(
            matches!(error, JsonError::Data { ref path, .. } if path == "items[1].number"),
            "{error:?}"
        );
        let error = parse::<Body>(br#"{"items": [{"numbr": "A"}]}"#).unwrap_err();
        assert!(
            matches!(error, JsonError::Data { ref path, .. } if path == "items[0].numbr"),
            "{error:?}"
        );
        let error = parse::<Body>(b"{\"items\":\n [").unwrap_err();
        assert!(
            matches!(error, JsonError::Syntax { line: 2, .. }),
            "{error:?}"
        );
        let error = parse::<Body>(br#"{"items": []} x"#).unwrap_err();
        assert!(
            matches!(
                error,
                JsonError::Syntax {
                    line: 1,
                    column: 15,
                    ..
                }
            ),
            "{error:?}"
        );
    }
}
