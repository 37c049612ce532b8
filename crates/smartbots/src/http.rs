//! `/api/bot.html` over HTTP.

use crate::args::Args;
use crate::commands;
use crate::errors::{Failure, MAX_BODY, MAX_UPLOAD};
use crate::params::Params;
use crate::reply::{Fields, Format};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use engine::{Credentials, Engine};

/// What a request comes to, before it is written out.
struct Answer {
    format: Format,
    fields: Fields,
    retry_after: Option<u64>,
    status: StatusCode,
}

/// A request as read: its parameters, and the first thing wrong with the request itself
/// (its method, its body, its encoding), if anything.
pub(crate) struct Request {
    pub(crate) params: Params,
    pub(crate) failure: Option<Failure>,
}

/// Reads a request's parameters from its query string and body (at most 64 KiB, or
/// 8 MiB for `texture_upload`), for both endpoints.
pub(crate) async fn read_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Request {
    // Only uploads may be long; the action is known once the body is read.
    let (bytes, mut body_failure) = match axum::body::to_bytes(body, MAX_UPLOAD).await {
        Ok(bytes) => (bytes, None),
        Err(e) => (
            Bytes::new(),
            Some(if too_large(&e) {
                Failure::UploadTooLarge
            } else {
                Failure::BodyUnreadable
            }),
        ),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (params, param_error) = Params::read(uri.query(), &bytes, content_type);
    let upload = params
        .get("action")
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("texture_upload"));
    if bytes.len() > MAX_BODY && !upload {
        body_failure = Some(Failure::BodyTooLarge);
    }
    let failure = if *method != Method::GET && *method != Method::POST {
        Some(Failure::Method)
    } else {
        body_failure.or(param_error.map(Failure::Param))
    };
    Request { params, failure }
}

/// Handles `/api/bot.html`, GET or POST.
pub(crate) async fn bot_api(
    State(engine): State<Engine>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = read_request(&method, &uri, &headers, body).await;
    respond(answer(&engine, request).await)
}

fn too_large(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

async fn answer(engine: &Engine, request: Request) -> Answer {
    let started = std::time::Instant::now();
    let Request { params, failure } = request;
    let format = match params.get("datatype") {
        Some(v) if v.trim().eq_ignore_ascii_case("json") => Format::Json,
        _ => Format::Url,
    };
    let mut fields = Fields::default();
    if let Some(action) = params.get("action") {
        fields.text("action", action);
    }
    let args = Args::new(&params);
    let outcome = match failure {
        Some(f) => Err((f, None)),
        None => run(engine, &args, format).await,
    };
    let mut answer = Answer {
        format,
        fields,
        retry_after: None,
        status: StatusCode::OK,
    };
    let command = match &outcome {
        Ok(_) => params.get("action").and_then(crate::commands::find),
        Err((_, def)) => *def,
    }
    .map_or("unknown", |d| d.action);
    telemetry::count(
        "botgrid_requests_total",
        &[("api", "smartbots"), ("command", command)],
    );
    telemetry::observe(
        "botgrid_command_seconds",
        &[("api", "smartbots"), ("command", command)],
        started.elapsed(),
    );
    if let Err((failure, _)) = &outcome {
        let kind = failure.kind();
        telemetry::count(
            "botgrid_request_errors_total",
            &[("api", "smartbots"), ("kind", kind)],
        );
        if kind == "Throttled" {
            telemetry::count("botgrid_throttled_total", &[("api", "smartbots")]);
        }
    }
    match outcome {
        Ok(result) => {
            answer.fields.text("result", "OK");
            answer.fields.extend(result);
        }
        Err((failure, def)) => {
            answer
                .fields
                .text("result", "FAIL")
                .text("resulttext", failure.text());
            if let (Some(on_error), Failure::Grid(e)) = (def.and_then(|d| d.on_error), &failure) {
                on_error(&args, e, &mut answer.fields);
            }
            answer.retry_after = failure.retry_after_secs();
            if failure == Failure::Method {
                answer.status = StatusCode::METHOD_NOT_ALLOWED;
            }
            if let Failure::Grid(grid::Error::Internal { message }) = &failure {
                tracing::error!(error = %message, "command failed inside the store");
            }
        }
    }
    if let Some(custom) = params.get("custom") {
        answer.fields.text("custom", custom);
    }
    answer
}

type Outcome = Result<Fields, (Failure, Option<&'static commands::CommandDef>)>;

async fn run(engine: &Engine, args: &Args<'_>, format: Format) -> Outcome {
    let action = args.req("action").map_err(|f| (f, None))?;
    let def =
        commands::find(action).ok_or_else(|| (Failure::UnknownAction(action.to_owned()), None))?;
    let fail = |f: Failure| (f, Some(def));
    if def.json_only && format != Format::Json {
        return Err(fail(Failure::JsonOnly));
    }
    let creds = Credentials {
        apikey: args.req("apikey").map_err(fail)?.to_owned(),
        botname: args.req("botname").map_err(fail)?.to_owned(),
        secret: args.req("secret").map_err(fail)?.to_owned(),
    };
    if def.action == crate::feed::ACTION {
        return crate::feed::run(engine, &creds, args).await.map_err(fail);
    }
    let command = (def.parse)(args).map_err(fail)?;
    let reply = engine
        .bot_command(&creds, command)
        .await
        .map_err(|e| fail(Failure::Grid(e)))?;
    let mut fields = Fields::default();
    (def.render)(args, reply, &mut fields);
    Ok(fields)
}

fn respond(answer: Answer) -> Response {
    let content_type = match answer.format {
        Format::Url => "text/plain; charset=utf-8",
        Format::Json => "application/json",
    };
    let mut response = (answer.status, answer.fields.encode(answer.format)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(secs) = answer.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if answer.status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    }
    response
}
