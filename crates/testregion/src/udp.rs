//! The test region's UDP side: circuits, and what the region does with each message.

use super::*;

pub(crate) async fn resend_loop(state: Arc<Mutex<State>>) {
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    loop {
        tick.tick().await;
        let out: Vec<(SocketAddr, Vec<u8>)> = {
            let mut st = lock(&state);
            let now = Instant::now();
            st.agents
                .values_mut()
                .filter_map(|a| a.addr.map(|addr| (addr, a.circuit.due(now))))
                .flat_map(|(addr, wires)| wires.into_iter().map(move |w| (addr, w)))
                .collect()
        };
        send_routed(&state, out).await;
    }
}

pub(crate) async fn udp_loop(socket: Arc<UdpSocket>, region: usize, state: Arc<Mutex<State>>) {
    let mut buf = vec![0u8; 8192];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let out = handle(&state, region, from, &buf[..n]);
        send_routed(&state, out).await;
    }
}

/// One datagram from `from` to `region`: what to send in answer.
fn handle(state: &Mutex<State>, region: usize, from: SocketAddr, data: &[u8]) -> Outgoing {
    let mut st = lock(state);
    let now = Instant::now();
    let mut out = Vec::new();
    // An agent's packets count in the region it has its circuit with.
    let known = st
        .by_addr
        .get(&from)
        .copied()
        .filter(|id| st.agents.get(id).is_some_and(|a| a.region == region));
    let agent_id = match known {
        Some(id) => id,
        None => {
            // Only UseCircuitCode opens a circuit, and only with a code from a login.
            let Ok(p) = viewerproto::packet::Packet::decode(data) else {
                return out;
            };
            let Ok(Message::UseCircuitCode {
                code,
                session,
                agent,
            }) = Message::decode(&p.body)
            else {
                return out;
            };
            let Some(a) = st.agents.get_mut(&agent) else {
                return out;
            };
            let moving = a.addr.is_some() && a.region != region;
            if a.circuit_code != code
                || a.session != session
                || a.expected_region != region
                || (a.addr.is_some() && !moving)
            {
                return out;
            }
            // A new circuit (a teleport's hand-over keeps the code, not the circuit).
            a.addr = Some(from);
            a.region = region;
            a.circuit = Circuit::new(now);
            st.by_addr.insert(from, agent);
            st.last_region.insert(from, region);
            agent
        }
    };
    let Some(agent) = st.agents.get_mut(&agent_id) else {
        return out;
    };
    let session = agent.session;
    let packet = match agent.circuit.receive(data, now) {
        Ok(Some(p)) => p,
        _ => return out,
    };
    let Ok(message) = Message::decode(&packet.body) else {
        return out;
    };
    let mut reply = |st: &mut State, to: Uuid, m: Message| {
        if let Some(f) = st.frame(to, &m) {
            out.push(f);
        }
    };
    match message {
        Message::UseCircuitCode { .. } => {}
        Message::CompleteAgentMovement {
            agent,
            session: s,
            circuit_code,
        } if agent == agent_id && s == session => {
            let _ = circuit_code;
            let (name, handle) = (st.regions[region].name.clone(), st.regions[region].handle());
            reply(
                &mut st,
                agent_id,
                Message::RegionHandshake {
                    flags: 0,
                    sim_name: name,
                    region_id: Uuid::from_u128(0x7e57 + region as u128),
                },
            );
            reply(
                &mut st,
                agent_id,
                Message::AgentMovementComplete {
                    agent: agent_id,
                    session,
                    position: [128.0, 128.0, 25.0],
                    look_at: [1.0, 0.0, 0.0],
                    region_handle: handle,
                    timestamp: 0,
                    channel_version: "botgrid test region".into(),
                },
            );
            // Friends who are logged in hear that the agent is online.
            let online: Vec<Uuid> = st
                .friends_of(agent_id)
                .into_iter()
                .filter(|f| st.agents.get(f).is_some_and(|a| a.addr.is_some()))
                .collect();
            for f in online {
                reply(
                    &mut st,
                    f,
                    Message::World(WorldMessage::OnlineNotification(vec![agent_id])),
                );
            }
            // Where everyone in the region is, to everyone there (all stand where they
            // arrived: the middle, 25 m up).
            let present: Vec<Uuid> = st
                .agents
                .iter()
                .filter(|(_, a)| a.addr.is_some() && a.region == region)
                .map(|(id, _)| *id)
                .collect();
            for (i, to) in present.iter().enumerate() {
                reply(
                    &mut st,
                    *to,
                    Message::World(WorldMessage::CoarseLocationUpdate {
                        you: i as i16,
                        prey: -1,
                        avatars: present.iter().map(|id| (*id, [128, 128, 6])).collect(),
                    }),
                );
            }
            // What is in view: the first region's objects, offered from the viewer's
            // cache as OpenSimulator does; a client without one asks for them.
            if region == 0 && !st.objects.is_empty() {
                let objects = st
                    .objects
                    .iter()
                    .map(|(_, local_id)| (*local_id, 0, 0))
                    .collect();
                reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::ObjectUpdateCached {
                        region_handle: handle,
                        objects,
                    }),
                );
            }
        }
        Message::World(WorldMessage::RequestMultipleObjects {
            agent,
            session: s,
            objects: asked,
        }) if agent == agent_id && s == session => {
            let objects: Vec<_> = st
                .objects
                .iter()
                .filter(|(_, local_id)| asked.iter().any(|(_, id)| id == local_id))
                .map(|(id, local_id)| viewerproto::world_messages::ObjectSeen {
                    id: *id,
                    local_id: *local_id,
                })
                .collect();
            if !objects.is_empty() {
                let region_handle = st.regions[0].handle();
                reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::ObjectUpdate {
                        region_handle,
                        objects,
                    }),
                );
            }
        }
        Message::StartPingCheck { ping, .. } => {
            reply(&mut st, agent_id, Message::CompletePingCheck { ping });
        }
        Message::LogoutRequest { agent, session: s } if agent == agent_id && s == session => {
            reply(
                &mut st,
                agent_id,
                Message::LogoutReply {
                    agent: agent_id,
                    session,
                },
            );
            forget(&mut st, agent_id);
        }
        Message::ImprovedInstantMessage(im)
            if im.agent == agent_id
                && im.session == session
                && im.dialog == dialog::SESSION_SEND =>
        {
            let member = st
                .groups
                .iter()
                .any(|g| g.id == im.to_agent && g.members.contains(&agent_id));
            if member {
                out.extend(st.group_chat(im.to_agent, agent_id, &im.message));
            }
        }
        Message::ImprovedInstantMessage(im)
            if im.agent == agent_id
                && im.session == session
                && im.dialog == dialog::GROUP_NOTICE =>
        {
            let member = st
                .groups
                .iter()
                .any(|g| g.id == im.to_agent && g.members.contains(&agent_id));
            if member {
                let (subject, text) = im.message.split_once('|').unwrap_or(("", &im.message));
                out.extend(st.group_notice(im.to_agent, agent_id, subject, text));
            }
        }
        Message::World(WorldMessage::AcceptFriendship {
            agent,
            session: s,
            transaction,
            ..
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::FriendshipAnswer {
                from: agent_id,
                transaction,
                accepted: true,
            });
        }
        Message::World(WorldMessage::TerminateFriendship {
            agent,
            session: s,
            other,
        }) if agent == agent_id && s == session => {
            st.friends
                .retain(|&(a, b)| !((a, b) == (agent_id, other) || (a, b) == (other, agent_id)));
            st.heard.push(Heard::FriendshipEnded {
                from: agent_id,
                other,
            });
        }
        Message::World(WorldMessage::DeclineFriendship {
            agent,
            session: s,
            transaction,
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::FriendshipAnswer {
                from: agent_id,
                transaction,
                accepted: false,
            });
        }
        Message::ImprovedInstantMessage(im)
            if im.agent == agent_id
                && im.session == session
                && matches!(
                    im.dialog,
                    dialog::GROUP_INVITATION_ACCEPT | dialog::GROUP_INVITATION_DECLINE
                ) =>
        {
            let accepted = im.dialog == dialog::GROUP_INVITATION_ACCEPT;
            let joined = st.group(im.to_agent).is_some_and(|g| {
                let ok = g.invitations.get(&im.id) == Some(&agent_id);
                if ok {
                    g.invitations.remove(&im.id);
                    if accepted && !g.members.contains(&agent_id) {
                        g.members.push(agent_id);
                    }
                }
                ok && accepted
            });
            if joined {
                let groups = st.memberships(agent_id);
                st.queue(
                    agent_id,
                    viewerproto::caps::group_list_event(agent_id, &groups),
                );
            }
        }
        Message::ImprovedInstantMessage(mut im)
            if im.agent == agent_id && im.session == session =>
        {
            let to = im.to_agent;
            if st.agents.get(&to).is_some_and(|a| a.addr.is_some()) {
                // Relayed as the region does: the sender's key, no session, its name.
                im.session = Uuid::nil();
                im.from_name = st.full_name(agent_id);
                reply(&mut st, to, Message::ImprovedInstantMessage(im));
            } else if st.account(to).is_some() {
                st.heard.push(Heard::Im {
                    from: agent_id,
                    to,
                    dialog: im.dialog,
                    message: im.message,
                });
            }
        }
        Message::ChatFromViewer {
            agent,
            session: s,
            message,
            chat_type,
            channel,
        } if agent == agent_id && s == session => {
            st.heard.push(Heard::Chat {
                from: agent_id,
                channel,
                chat_type,
                message: message.clone(),
            });
            if channel == 0 {
                let chat = Chat {
                    from_name: st.full_name(agent_id),
                    source: agent_id,
                    owner: agent_id,
                    source_type: chat_source::AGENT,
                    chat_type,
                    audible: 1,
                    position: [128.0, 128.0, 25.0],
                    message,
                };
                let ids: Vec<Uuid> = st.agents.keys().copied().collect();
                for to in ids {
                    reply(&mut st, to, Message::ChatFromSimulator(chat.clone()));
                }
            }
        }
        Message::UuidNameRequest(ids) => {
            let names = ids
                .iter()
                .filter_map(|id| st.account(*id))
                .map(|a| Name {
                    id: a.id,
                    first: a.first.clone(),
                    last: a.last.clone(),
                })
                .collect();
            reply(&mut st, agent_id, Message::UuidNameReply(names));
        }
        Message::Group(GroupMessage::UuidGroupNameRequest(ids)) => {
            let names = ids
                .iter()
                .filter_map(|id| st.groups.iter().find(|g| g.id == *id))
                .map(|g| (g.id, g.name.clone()))
                .collect();
            reply(
                &mut st,
                agent_id,
                Message::Group(GroupMessage::UuidGroupNameReply(names)),
            );
        }
        Message::AvatarPickerRequest {
            agent,
            session: s,
            query,
            name,
        } if agent == agent_id && s == session => {
            let wanted = name.to_lowercase();
            let found = st
                .accounts
                .iter()
                .filter(|a| {
                    format!("{} {}", a.first, a.last)
                        .to_lowercase()
                        .contains(&wanted)
                })
                .map(|a| Name {
                    id: a.id,
                    first: a.first.clone(),
                    last: a.last.clone(),
                })
                .collect();
            reply(
                &mut st,
                agent_id,
                Message::AvatarPickerReply {
                    agent: agent_id,
                    query,
                    found,
                },
            );
        }
        Message::Group(GroupMessage::AgentDataUpdateRequest { agent, session: s })
            if agent == agent_id && s == session =>
        {
            // As grids do now: the group list goes through the event queue.
            let groups = st.memberships(agent_id);
            st.queue(
                agent_id,
                viewerproto::caps::group_list_event(agent_id, &groups),
            );
        }
        Message::Group(GroupMessage::GroupRoleDataRequest {
            agent,
            session: s,
            group,
            request,
        }) if agent == agent_id && s == session => {
            let Some(g) = st.groups.iter().find(|g| g.id == group) else {
                return out;
            };
            let members = g.members.len() as u32;
            // Two roles, sent in two parts (grids split long lists).
            let everyone = Role {
                id: Uuid::nil(),
                name: "Everyone".into(),
                title: "Member".into(),
                description: "Every member".into(),
                powers: 0x1000_0000,
                members,
            };
            let owners = Role {
                id: Uuid::from_u128(group.as_u128() ^ 1),
                name: "Owners".into(),
                title: "Owner".into(),
                description: "The group's owners".into(),
                powers: MEMBER_POWERS,
                members: 1,
            };
            for part in [everyone, owners] {
                reply(
                    &mut st,
                    agent_id,
                    Message::Group(GroupMessage::GroupRoleDataReply {
                        agent: agent_id,
                        group,
                        request,
                        role_count: 2,
                        roles: vec![part],
                    }),
                );
            }
        }
        Message::Group(GroupMessage::JoinGroupRequest {
            agent,
            session: s,
            group,
        }) if agent == agent_id && s == session => {
            let success = match st.group(group) {
                Some(g) => {
                    if !g.members.contains(&agent_id) {
                        g.members.push(agent_id);
                    }
                    true
                }
                None => false,
            };
            reply(
                &mut st,
                agent_id,
                Message::Group(GroupMessage::JoinGroupReply {
                    agent: agent_id,
                    group,
                    success,
                }),
            );
        }
        Message::Group(GroupMessage::LeaveGroupRequest {
            agent,
            session: s,
            group,
        }) if agent == agent_id && s == session => {
            let success = st.group(group).is_some_and(|g| {
                let was = g.members.contains(&agent_id);
                g.members.retain(|m| *m != agent_id);
                was
            });
            reply(
                &mut st,
                agent_id,
                Message::Group(GroupMessage::LeaveGroupReply {
                    agent: agent_id,
                    group,
                    success,
                }),
            );
        }
        Message::Group(GroupMessage::GroupRoleChanges {
            agent,
            session: s,
            group,
            changes,
        }) if agent == agent_id && s == session => {
            for (role, member, change) in changes {
                st.heard.push(Heard::RoleChange {
                    group,
                    by: agent_id,
                    role,
                    member,
                    added: change == viewerproto::group_messages::ROLE_ADD,
                });
            }
        }
        Message::Group(GroupMessage::ActivateGroup {
            agent,
            session: s,
            group,
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::GroupActivated {
                from: agent_id,
                group,
            });
        }
        Message::Group(GroupMessage::InviteGroupRequest {
            agent,
            session: s,
            group,
            invites,
        }) if agent == agent_id && s == session => {
            let member = st
                .groups
                .iter()
                .any(|g| g.id == group && g.members.contains(&agent_id));
            if member {
                for (invitee, role) in invites {
                    if let Some(f) = st.invite(group, agent_id, invitee, role) {
                        out.push(f);
                    }
                }
            }
        }
        Message::Group(GroupMessage::EjectGroupMemberRequest {
            agent,
            session: s,
            group,
            ejectees,
        }) if agent == agent_id && s == session => {
            let mut success = false;
            if let Some(g) = st.group(group)
                && g.members.contains(&agent_id)
            {
                success = true;
                g.members.retain(|m| !ejectees.contains(m));
            }
            if success {
                for ejectee in &ejectees {
                    st.heard.push(Heard::GroupEject {
                        group,
                        by: agent_id,
                        ejectee: *ejectee,
                    });
                }
            }
            reply(
                &mut st,
                agent_id,
                Message::Group(GroupMessage::EjectGroupMemberReply {
                    agent: agent_id,
                    group,
                    success,
                }),
            );
        }
        // An object that cannot be sat on gets no answer, as in grids.
        Message::World(WorldMessage::AgentRequestSit {
            agent,
            session: s,
            target,
            ..
        }) if agent == agent_id && s == session && st.seats.contains(&target) => {
            st.sit_requests.insert(agent_id, target);
            reply(
                &mut st,
                agent_id,
                Message::World(WorldMessage::AvatarSitResponse {
                    object: target,
                    autopilot: false,
                    position: [0.0, 0.0, 0.5],
                }),
            );
        }
        Message::World(WorldMessage::AgentSit { agent, session: s })
            if agent == agent_id && s == session =>
        {
            if let Some(object) = st.sit_requests.remove(&agent_id) {
                st.sitting.insert(agent_id, object);
                st.heard.push(Heard::Sat {
                    from: agent_id,
                    object,
                });
            }
        }
        Message::AgentUpdate(u)
            if u.agent == agent_id
                && u.session == session
                && u.control_flags & viewerproto::messages::CONTROL_STAND_UP != 0
                && st.sitting.contains_key(&agent_id) =>
        {
            st.sitting.remove(&agent_id);
            st.heard.push(Heard::Stood { from: agent_id });
        }
        Message::World(WorldMessage::StartLure {
            agent,
            session: s,
            message,
            targets,
            ..
        }) if agent == agent_id && s == session => {
            let here = st.agents.get(&agent_id).map(|a| a.region).unwrap_or(0);
            let name = st.full_name(agent_id);
            for to in targets {
                if st.agents.get(&to).is_some_and(|a| a.addr.is_some()) {
                    let lure = Uuid::new_v4();
                    st.lures.insert(lure, (to, here));
                    let mut im = InstantMessage::text(agent_id, Uuid::nil(), &name, to, &message);
                    im.dialog = dialog::LURE_USER;
                    im.id = lure;
                    reply(&mut st, to, Message::ImprovedInstantMessage(im));
                } else if st.account(to).is_some() {
                    st.heard.push(Heard::TeleportOffer {
                        from: agent_id,
                        to,
                        message: message.clone(),
                    });
                }
            }
        }
        Message::World(WorldMessage::ObjectGrab {
            agent,
            session: s,
            local_id,
            ..
        }) if agent == agent_id && s == session => {
            if let Some((object, _)) = st.objects.iter().find(|(_, l)| *l == local_id).copied() {
                st.heard.push(Heard::Touched {
                    from: agent_id,
                    object,
                });
            }
        }
        Message::World(WorldMessage::ScriptDialogReply {
            agent,
            session: s,
            object,
            channel,
            button_index,
            button_label,
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::DialogReply {
                from: agent_id,
                object,
                channel,
                button_index,
                label: button_label,
            });
        }
        Message::World(WorldMessage::MapNameRequest {
            agent,
            session: s,
            name,
        }) if agent == agent_id && s == session => {
            let wanted = name.to_lowercase();
            let blocks = st
                .regions
                .iter()
                .filter(|r| r.name.to_lowercase().contains(&wanted))
                .map(|r| viewerproto::world_messages::MapBlock {
                    x: (r.corner.0 / 256) as u16,
                    y: (r.corner.1 / 256) as u16,
                    name: r.name.clone(),
                    access: 13,
                    flags: 0,
                    agents: 0,
                    image: Uuid::nil(),
                })
                .collect();
            reply(
                &mut st,
                agent_id,
                Message::World(WorldMessage::MapBlockReply {
                    agent: agent_id,
                    blocks,
                }),
            );
        }
        Message::World(WorldMessage::TeleportLocationRequest {
            agent,
            session: s,
            region_handle,
            position,
            look_at,
        }) if agent == agent_id && s == session => {
            let target = st.regions.iter().position(|r| r.handle() == region_handle);
            out.extend(teleport(&mut st, agent_id, target, position, look_at));
        }
        // An accepted teleport offer: to the offered region's middle.
        Message::World(WorldMessage::TeleportLureRequest {
            agent,
            session: s,
            lure,
            ..
        }) if agent == agent_id
            && s == session
            && st.lures.get(&lure).is_some_and(|(who, _)| *who == agent_id) =>
        {
            let (position, look_at) = ([128.0, 128.0, 25.0], [1.0, 0.0, 0.0]);
            let target = st.lures.remove(&lure).map(|(_, region)| region);
            out.extend(teleport(&mut st, agent_id, target, position, look_at));
        }
        // Home (the zero landmark) is the first region's middle.
        Message::World(WorldMessage::TeleportLandmarkRequest {
            agent,
            session: s,
            landmark,
        }) if agent == agent_id && s == session && landmark.is_nil() => {
            let (position, look_at) = ([128.0, 128.0, 25.0], [1.0, 0.0, 0.0]);
            let target = Some(0);
            out.extend(teleport(&mut st, agent_id, target, position, look_at));
        }
        Message::World(WorldMessage::MoneyBalanceRequest {
            agent,
            session: s,
            transaction,
        }) if agent == agent_id && s == session => {
            let balance = st.account(agent_id).map(|a| a.balance).unwrap_or(0);
            reply(
                &mut st,
                agent_id,
                Message::World(WorldMessage::MoneyBalanceReply {
                    agent: agent_id,
                    transaction,
                    success: true,
                    balance,
                    description: String::new(),
                    transaction_type: 0,
                    source: Uuid::nil(),
                    dest: Uuid::nil(),
                    amount: 0,
                    item_description: String::new(),
                }),
            );
        }
        Message::World(WorldMessage::MoneyTransferRequest {
            agent,
            session: s,
            source,
            dest,
            amount,
            description,
            ..
        }) if agent == agent_id && s == session && source == agent_id => {
            let have = st.account(agent_id).map(|a| a.balance).unwrap_or(0);
            let ok = amount > 0 && have >= amount && st.account(dest).is_some();
            if ok {
                for a in st.accounts.iter_mut() {
                    if a.id == agent_id {
                        a.balance -= amount;
                    } else if a.id == dest {
                        a.balance += amount;
                    }
                }
            }
            let notice = |st: &State, who: Uuid, success: bool| WorldMessage::MoneyBalanceReply {
                agent: who,
                transaction: Uuid::nil(),
                success,
                balance: st.account(who).map(|a| a.balance).unwrap_or(0),
                description: if success {
                    String::new()
                } else {
                    "You cannot pay that much.".into()
                },
                transaction_type: TRANSACTION_GIFT,
                source: agent_id,
                dest,
                amount,
                item_description: description.clone(),
            };
            let to_payer = notice(&st, agent_id, ok);
            reply(&mut st, agent_id, Message::World(to_payer));
            if ok && st.agents.get(&dest).is_some_and(|a| a.addr.is_some()) {
                let to_payee = notice(&st, dest, true);
                reply(&mut st, dest, Message::World(to_payee));
            }
        }
        _ => {}
    }
    out
}

/// Moves an agent: within its region (`TeleportLocal`), to another one (`TeleportStart`,
/// then `TeleportFinish` through the event queue: the agent opens a circuit there), or
/// nowhere (`TeleportFailed`) when the region is not in the grid.
fn teleport(
    st: &mut State,
    agent_id: Uuid,
    target: Option<usize>,
    position: [f32; 3],
    look_at: [f32; 3],
) -> Outgoing {
    let here = st.agents.get(&agent_id).map(|a| a.region);
    let m = match target {
        None => WorldMessage::TeleportFailed {
            agent: agent_id,
            reason: "Could not find that region.".into(),
        },
        Some(t) if Some(t) == here => WorldMessage::TeleportLocal {
            agent: agent_id,
            location: 0,
            position,
            look_at,
            flags: 0,
        },
        Some(t) => {
            let Ok(SocketAddr::V4(sim)) = st.regions[t].socket.local_addr() else {
                return vec![];
            };
            if let Some(a) = st.agents.get_mut(&agent_id) {
                a.expected_region = t;
            }
            let seed = format!("{}caps/{agent_id}", st.base);
            let handle = st.regions[t].handle();
            st.queue(
                agent_id,
                viewerproto::caps::teleport_finish_event(agent_id, sim, handle, &seed),
            );
            WorldMessage::TeleportStart { flags: 16 }
        }
    };
    st.frame(agent_id, &Message::World(m)).into_iter().collect()
}
