//! Presence transitions: CONNECTING → ONLINE and LOGGING_OUT → LOGGED_OUT.
//!
//! The first half of a transition is committed by the command (`login`, `logout`); the
//! second half runs a little later from a timer. Each transition bumps the avatar's
//! `presence_seq`, and a timer only acts when the sequence is still the one it was
//! scheduled with, so a logout during a login simply wins. After a restart, transitions
//! found half-done are finished, and posts waiting for online senders are scheduled.

use crate::Engine;
use grid::{AvatarId, Error, Event, Location, Presence, Timestamp};
use std::time::Duration;
use store::Tx;

/// Moves an avatar to a new presence state and raises the `OnlineStatus` event that
/// every change of presence is. Leaving ONLINE marks the group posts sent so far as had
/// (the avatar got them live); those sent later it gets when it is back. Returns the new
/// transition counter.
pub(crate) fn change(
    tx: &mut Tx<'_>,
    avatar: AvatarId,
    from: Presence,
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
    if from == Presence::Online && to != Presence::Online {
        tx.settle_post_cursors(avatar)?;
    }
    Ok(seq)
}

/// What follows an avatar's arrival ONLINE: it learns its balance; what waited while it
/// was away arrives now, in order (its own messages and offers, then its groups' posts);
/// then it sends what it posted while away. Returns when its next waiting post is due.
pub(crate) fn arrived(tx: &mut Tx<'_>, avatar: AvatarId) -> Result<Option<Timestamp>, Error> {
    // A bot in a remote grid learns its balance from that grid (see `remote`).
    if let Some(a) = tx.avatar(avatar)?
        && tx.remote_account(avatar)?.is_none()
    {
        crate::money::announce_balance(tx, &a)?;
    }
    for held in tx.take_held(avatar)? {
        tx.emit(avatar, held)?;
    }
    tx.catch_up_posts(avatar, grid::group::MAX_CATCH_UP_POSTS)?;
    crate::groups::send_due_posts(tx, avatar)
}

impl Engine {
    pub(crate) fn schedule_presence(&self, bot: AvatarId, seq: i64, to: Presence) {
        let engine = self.clone();
        let delay = match to {
            Presence::Online => self.config().login_delay,
            _ => self.config().logout_delay,
        };
        tokio::spawn(async move {
            // A bot in a remote grid is ONLINE when the region has it, not after a delay.
            if engine.remote_transition(bot, seq, to).await {
                return;
            }
            tokio::time::sleep(delay).await;
            engine.finish_transition_retrying(bot, seq, to).await;
        });
    }

    /// Finishes a transition, retrying a failing store a few times.
    pub(crate) async fn finish_transition_retrying(&self, bot: AvatarId, seq: i64, to: Presence) {
        let mut backoff = Duration::from_millis(200);
        for _ in 0..8 {
            match self.finish_transition(bot, seq, to).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(bot = %bot, error = %e, "presence transition failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
            }
        }
        tracing::error!(bot = %bot, "presence transition abandoned; it resumes at the next start");
    }

    async fn finish_transition(&self, bot: AvatarId, seq: i64, to: Presence) -> Result<(), Error> {
        let next_post = self
            .store()
            .write(move |tx| {
                match tx.presence(bot)? {
                    Some((_, current)) if current == seq => {}
                    _ => return Ok(None), // superseded by a later login or logout
                }
                let Some(avatar) = tx.avatar(bot)? else {
                    return Ok(None);
                };
                change(tx, bot, avatar.presence, to, avatar.location.as_ref())?;
                if to != Presence::Online {
                    return Ok(None);
                }
                arrived(tx, bot)
            })
            .await?;
        if let Some(at) = next_post {
            self.schedule_posts(bot, at);
        }
        Ok(())
    }

    /// Sends a sender's waiting posts at `at` (and later ones after that) if it is
    /// online then; otherwise they go when it comes back.
    pub(crate) fn schedule_posts(&self, sender: AvatarId, at: Timestamp) {
        let engine = self.clone();
        let wait = Duration::from_millis((at.0 - Timestamp::now().0).max(0) as u64);
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let next = engine
                .store()
                .write(move |tx| match tx.presence(sender)? {
                    Some((Presence::Online, _)) => crate::groups::send_due_posts(tx, sender),
                    _ => Ok(None),
                })
                .await;
            match next {
                Ok(Some(at)) => engine.schedule_posts(sender, at),
                Ok(None) => {}
                Err(e) => tracing::warn!(
                    sender = %sender, error = %e,
                    "cannot send waiting posts; they go when the sender next comes online"
                ),
            }
        });
    }
}

/// Finishes transitions that were under way when the grid last stopped, and schedules
/// the posts online senders were waiting to send.
pub(crate) async fn recover(engine: &Engine) -> Result<(), Error> {
    let (pending, waiting) = engine
        .store()
        .read(|tx| {
            let mut pending = tx.avatars_in(Presence::Connecting)?;
            pending.extend(tx.avatars_in(Presence::LoggingOut)?);
            let mut waiting = Vec::new();
            for (sender, at) in tx.senders_waiting()? {
                if matches!(tx.presence(sender)?, Some((Presence::Online, _))) {
                    waiting.push((sender, at));
                }
            }
            Ok((pending, waiting))
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
    for (sender, at) in waiting {
        engine.schedule_posts(sender, at);
    }
    Ok(())
}
