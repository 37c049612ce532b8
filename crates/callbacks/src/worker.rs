//! One registration's delivery loop.

use crate::{DeliveryConfig, Payload, Settings};
use engine::Engine;
use grid::StoredEvent;
use grid::callback::Callback;
use rand::Rng;
use std::time::Duration;
use tokio::sync::watch;

/// How often a worker looks at the log without being woken (events committed by
/// another process sharing the database do not wake it).
const POLL: Duration = Duration::from_secs(5);

pub(crate) async fn run(
    engine: Engine,
    client: reqwest::Client,
    payload: Payload,
    mut callback: Callback,
    mut settings: watch::Receiver<Settings>,
    config: DeliveryConfig,
) {
    let mut wake = engine.watch(callback.bot.id);
    let mut saved = callback.cursor;
    loop {
        callback.retire_after = settings.borrow_and_update().retire_after;
        if callback
            .retire_after
            .is_some_and(|last| callback.cursor >= last)
        {
            retire(&engine, &callback).await;
            return;
        }
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
                _ = settings.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        for event in &events {
            {
                let now = settings.borrow();
                callback.events = now.events.clone();
                callback.retire_after = now.retire_after;
            }
            if callback.retire_after.is_some_and(|last| event.id > last) {
                break;
            }
            if let Some(body) = (payload.render)(&callback, event) {
                let answer =
                    post_until_delivered(&client, &callback, event.id, body, &config).await;
                act_on_answer(&engine, &payload, &callback, event, &answer).await;
            }
            callback.cursor = event.id;
        }
        match engine.advance_callback(callback.id, callback.cursor).await {
            Ok(()) => saved = callback.cursor,
            Err(e) => tracing::warn!(callback = %callback.id, error = %e, "cannot save the cursor"),
        }
    }
}

/// Carries out what the receiver's answer asks (a group invitation answered `accept=1`).
async fn act_on_answer(
    engine: &Engine,
    payload: &Payload,
    callback: &Callback,
    event: &StoredEvent,
    answer: &str,
) {
    let Some(command) = (payload.reply)(callback, event, answer) else {
        return;
    };
    if let Err(e) = engine.act_for(callback.bot.id, command).await {
        tracing::info!(callback = %callback.id, event = %event.id, error = %e, "the receiver's answer could not be carried out");
    }
}

/// Removes a registration whose last event has been delivered.
async fn retire(engine: &Engine, callback: &Callback) {
    let mut wait = Duration::from_millis(200);
    while let Err(e) = engine.remove_callback(callback.id).await {
        tracing::warn!(callback = %callback.id, error = %e, "cannot remove a retired registration; retrying");
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
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
        let started = std::time::Instant::now();
        let result = client
            .post(&callback.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await;
        let failure = match result {
            Ok(response) if response.status().is_success() => {
                let answer = response.text().await.unwrap_or_default();
                telemetry::count("botgrid_callbacks_delivered_total", &[]);
                telemetry::observe("botgrid_callback_seconds", &[], started.elapsed());
                return answer;
            }
            Ok(response) => format!("HTTP {}", response.status().as_u16()),
            Err(e) => e.to_string(),
        };
        telemetry::count("botgrid_callbacks_failed_total", &[]);
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
