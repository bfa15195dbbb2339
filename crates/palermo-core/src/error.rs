//! Validation errors that name the field they concern.

use std::fmt;

/// One problem with one field of an input, e.g. `documents[3].number`: "is empty".
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the field in the input, dotted with indexes: `documents[3].number`.
    pub field: String,
    pub detail: String,
}

/// Every problem found in an input, not only the first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<String>, detail: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            detail: detail.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }

    pub fn single(field: impl Into<String>, detail: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::default();
        errors.push(field, detail);
        errors
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", error.field, error.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Joins a prefix and a field name into a path: `("documents[3]", "number")`.
pub fn field_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}
