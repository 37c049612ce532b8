//! Presence transitions: CONNECTING → ONLINE and LOGGING_OUT → LOGGED_OUT.
//!
//! The first half of a transition is committed by the command (`login`, `logout`); the
//! second half runs a little later from a timer. Each transition bumps the avatar's
//! `presence_seq`, and a timer only acts when the sequence is still the one it was
//! scheduled with, so a logout during a login simply wins. After a restart, transitions
//! found half-done are finished.

use crate::Engine;
use grid::{AvatarId, Error, Event, Location, Presence};
use std::time::Duration;
use store::Tx;

/// Moves an avatar to a new presence state and raises the `OnlineStatus` event that
/// every change of presence is. Returns the new transition counter.
pub(crate) fn change(
    tx: &mut Tx<'_>,
    avatar: AvatarId,
    to: Presence,
    location: Option<&Location>,
) -> Result<i64, Error> {
    let seq = tx.set_presence(avatar, to)?;
    tx.emit(
        avatar,
        Event::OnlineStatus {
            presence: to,
            location: location.map(|l| l.to_string()),
        },
    )?;
    Ok(seq)
}

impl Engine {
    pub(crate) fn schedule_presence(&self, bot: AvatarId, seq: i64, to: Presence) {
        let engine = self.clone();
        let delay = match to {
            Presence::Online => self.config().login_delay,
            _ => self.config().logout_delay,
        };
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let mut backoff = Duration::from_millis(200);
            for _ in 0..8 {
                match engine.finish_transition(bot, seq, to).await {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(bot = %bot, error = %e, "presence transition failed; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                    }
                }
            }
            tracing::error!(bot = %bot, "presence transition abandoned; it resumes at the next start");
        });
    }

    async fn finish_transition(&self, bot: AvatarId, seq: i64, to: Presence) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                match tx.presence(bot)? {
                    Some((_, current)) if current == seq => {}
                    _ => return Ok(()), // superseded by a later login or logout
                }
                let location = tx
                    .avatar(bot)?
                    .and_then(|a| a.location)
                    .map(|l| l.to_string());
                tx.set_presence(bot, to)?;
                tx.emit(
                    bot,
                    Event::OnlineStatus {
                        presence: to,
                        location,
                    },
                )?;
                if to == Presence::Online {
                    // What waited while the avatar was away arrives now, in order.
                    for held in tx.take_held(bot)? {
                        tx.emit(bot, held)?;
                    }
                }
                Ok(())
            })
            .await
    }
}

/// Finishes transitions that were under way when the grid last stopped.
pub(crate) async fn recover(engine: &Engine) -> Result<(), Error> {
    let pending = engine
        .store()
        .read(|tx| {
            let mut all = tx.avatars_in(Presence::Connecting)?;
            all.extend(tx.avatars_in(Presence::LoggingOut)?);
            Ok(all)
        })
        .await?;
    for (avatar, seq) in pending {
        let to = match avatar.presence {
            Presence::Connecting => Presence::Online,
            _ => Presence::LoggedOut,
        };
        tracing::info!(bot = %avatar.name, to = to.as_str(), "finishing an interrupted presence transition");
        engine.schedule_presence(avatar.id, seq, to);
    }
    Ok(())
}
