//! One registration's delivery loop.

use crate::{DeliveryConfig, Render};
use engine::Engine;
use grid::callback::{Callback, EventSelection};
use rand::Rng;
use std::time::Duration;
use tokio::sync::watch;

/// How often a worker looks at the log without being woken (events committed by
/// another process sharing the database do not wake it).
const POLL: Duration = Duration::from_secs(5);

pub(crate) async fn run(
    engine: Engine,
    client: reqwest::Client,
    render: Render,
    mut callback: Callback,
    selection: watch::Receiver<EventSelection>,
    config: DeliveryConfig,
) {
    let mut wake = engine.watch(callback.bot.id);
    let mut saved = callback.cursor;
    loop {
        wake.borrow_and_update();
        let events = match engine
            .events_after(callback.bot.id, callback.cursor, config.batch)
            .await
        {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(callback = %callback.id, error = %e, "cannot read events; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if events.is_empty() {
            if saved != callback.cursor {
                match engine.advance_callback(callback.id, callback.cursor).await {
                    Ok(()) => saved = callback.cursor,
                    Err(e) => {
                        tracing::warn!(callback = %callback.id, error = %e, "cannot save the cursor")
                    }
                }
            }
            tokio::select! {
                _ = wake.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        for event in &events {
            callback.events = selection.borrow().clone();
            if let Some(body) = render(&callback, event) {
                post_until_delivered(&client, &callback, event.id, body, &config).await;
            }
            callback.cursor = event.id;
        }
        match engine.advance_callback(callback.id, callback.cursor).await {
            Ok(()) => saved = callback.cursor,
            Err(e) => tracing::warn!(callback = %callback.id, error = %e, "cannot save the cursor"),
        }
    }
}

/// POSTs until the receiver answers 2xx. Returns the reply body.
async fn post_until_delivered(
    client: &reqwest::Client,
    callback: &Callback,
    event: grid::EventId,
    body: String,
    config: &DeliveryConfig,
) -> String {
    let mut wait = config.first_retry;
    let mut attempt = 1u32;
    loop {
        let result = client
            .post(&callback.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await;
        let failure = match result {
            Ok(response) if response.status().is_success() => {
                return response.text().await.unwrap_or_default();
            }
            Ok(response) => format!("HTTP {}", response.status().as_u16()),
            Err(e) => e.to_string(),
        };
        tracing::info!(
            callback = %callback.id, event = %event, attempt, error = %failure,
            retry_in_ms = wait.as_millis() as u64, "callback delivery failed"
        );
        tokio::time::sleep(jitter(wait)).await;
        wait = (wait * 2).min(config.max_retry);
        attempt = attempt.saturating_add(1);
    }
}

/// ±20 %, so that many failing deliveries do not retry in lockstep.
fn jitter(d: Duration) -> Duration {
    let factor = rand::rng().random_range(0.8..1.2);
    d.mul_f64(factor)
}
