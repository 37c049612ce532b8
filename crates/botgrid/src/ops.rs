//! Operations endpoints on the HTTP listener: `/healthz` and `/metrics`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use engine::Engine;

/// `/healthz` (the store answers) and `/metrics` (Prometheus text).
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(engine)
}

/// 200 `ok` when a store read goes through, 503 otherwise.
async fn healthz(State(engine): State<Engine>) -> Response {
    match engine.setting("health").await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the store does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n").into_response()
        }
    }
}

async fn metrics() -> Response {
    let mut response = telemetry::render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
