//! Request bodies: each route accepts at most what its real use needs, and a larger
//! body is answered 413 with the limit (a page in the user's language, or the API's
//! `{"code", "message"}`) before any handler sees it.
//!
//! - an import file (`POST /imports`): 20 MB (a national departments file is ≈ 1 MB);
//! - an applicants file (`POST /vacancies/ID/rank`): 32 MB (20,000 applicants are ≈ 10
//!   MB of JSON, ≈ 17 MB indented);
//! - one household (`POST /vacancies/ID/check`): 1 MB;
//! - every other form and API body: 64 KB.
//!
//! A file's limit leaves 64 KB more for the form's other fields and the multipart
//! framing.

use std::pin::Pin;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State as AxState};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use trappe_formats::text::Lang;
use trappe_store::users::Session;

use super::{lang_of, AppError, State};

const MB: usize = 1024 * 1024;
pub const IMPORT_FILE: usize = 20 * MB;
pub const APPLICANTS_FILE: usize = 32 * MB;
pub const HOUSEHOLD_FILE: usize = MB;
pub const FORM: usize = 64 * 1024;

/// What a route's body holds and its limit: (a file?, the limit stated).
fn limit_of(method: &Method, path: &str) -> (bool, usize) {
    if method != Method::POST {
        return (false, FORM);
    }
    let vacancy = |end: &str| {
        path.strip_prefix("/vacancies/")
            .and_then(|rest| rest.strip_suffix(end))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    };
    if path == "/imports" {
        (true, IMPORT_FILE)
    } else if vacancy("/rank") {
        (true, APPLICANTS_FILE)
    } else if vacancy("/check") {
        (true, HOUSEHOLD_FILE)
    } else {
        (false, FORM)
    }
}

/// A size as people read it: "20 MB", "64 KB".
pub fn size_text(bytes: usize) -> String {
    if bytes >= MB && (bytes / MB) * MB == bytes {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn too_large(
    state: &State,
    lang: Lang,
    session: Option<&Session>,
    api: bool,
    file: bool,
    limit: usize,
) -> Response {
    let size = size_text(limit);
    if api {
        return AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is too large: at most {size}"),
        )
        .into_response();
    }
    let message = match (lang, file) {
        (Lang::Da, true) => format!("Filen er for stor: her kan højst indlæses {size}."),
        (Lang::Da, false) => format!("Formularen er for stor: højst {size}."),
        (_, true) => format!("The file is too large: at most {size} can be uploaded here."),
        (_, false) => format!("The form is too large: at most {size}."),
    };
    super::pages::page_error(
        state,
        lang,
        session,
        AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message),
    )
}

/// Reads the request's body up to the route's limit, or answers 413.
pub async fn limit_body(AxState(state): AxState<State>, req: Request, next: Next) -> Response {
    let (file, limit) = limit_of(req.method(), req.uri().path());
    let max = if file { limit + FORM } else { limit };
    let lang = lang_of(req.headers());
    let api = req.uri().path().starts_with("/api/");
    let session = req.extensions().get::<Session>().cloned();
    let refuse = || too_large(&state, lang, session.as_ref(), api, file, limit);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let (parts, mut body) = req.into_parts();
    if declared.is_some_and(|n| n > max) {
        drain(&mut body).await;
        return refuse();
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(max));
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = match frame {
            Ok(f) => f,
            Err(e) => {
                let e = AppError::bad_request(format!("the request could not be read: {e}"));
                return if api {
                    e.into_response()
                } else {
                    super::pages::page_error(&state, lang, session.as_ref(), e)
                };
            }
        };
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > max {
                drop(bytes);
                drain(&mut body).await;
                return refuse();
            }
            bytes.extend_from_slice(&data);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Reads and drops the rest of a refused body (up to 256 MB, for at most 20 seconds),
/// so that the client, still sending, gets the answer instead of a connection reset.
async fn drain(body: &mut Body) {
    let read = async {
        let mut left: usize = 256 * MB;
        while let Some(Ok(frame)) =
            std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
        {
            if let Ok(data) = frame.into_data() {
                left = left.saturating_sub(data.len());
                if left == 0 {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), read).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_has_the_limit_of_its_use() {
        let post = Method::POST;
        assert_eq!(limit_of(&post, "/imports"), (true, 20 * MB));
        assert_eq!(limit_of(&post, "/vacancies/12/rank"), (true, 32 * MB));
        assert_eq!(limit_of(&post, "/vacancies/12/check"), (true, MB));
        assert_eq!(limit_of(&post, "/vacancies/12/resolve"), (false, FORM));
        assert_eq!(limit_of(&post, "/vacancies//rank"), (false, FORM));
        assert_eq!(limit_of(&post, "/vacancies/1/x/rank"), (false, FORM));
        assert_eq!(limit_of(&post, "/api/v1/vacancies"), (false, FORM));
        assert_eq!(limit_of(&Method::GET, "/imports"), (false, FORM));
        assert_eq!(size_text(20 * MB), "20 MB");
        assert_eq!(size_text(64 * 1024), "64 KB");
        assert_eq!(size_text(MB + MB / 2), "1.5 MB");
    }
}
