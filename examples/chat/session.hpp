// A client's session with the server over a DEALER socket: join, heartbeat,
// and the Lazy Pirate idea: when the server stays silent past a timeout,
// close the socket, open a fresh one and join again, until it answers. Every
// socket of a session has the same routing id, a random one: the server's
// ROUTER (ZMQ_ROUTER_HANDOVER) gives the fresh connection the old one's place,
// so a session that reconnects keeps its handle at once.
// Not a thread: its owner polls poll_items() and calls pump() and tick().
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "chat.hpp"
#include "common/console.hpp"
#include "events.hpp"

namespace chat {

class session {
public:
    session(zmq::context_t& ctx, const connection_options& opts, std::string handle, client_events events,
            const common::console& out, bool monitor = false);

    // The DEALER and its monitor: poll both for ZMQ_POLLIN.
    std::array<zmq::pollitem_t, 2> poll_items();
    // Reads what arrived (replies, handshake events); throws on refused credentials.
    void pump();
    // Heartbeats and timeouts; call at least every heartbeat.
    void tick();
    // Time until tick() has something to do.
    std::chrono::milliseconds next_tick() const;

    bool joined() const { return state_ == state::joined; }
    const std::string& handle() const { return handle_; }
    void say(std::string_view room, std::string_view text);
    void who();
    bool leave();  // sends LEAVE if joined; false if there was nothing to leave
    std::size_t waiting() const { return waiting_; }  // commands not answered yet
    // Counts the fresh sockets opened: when it changes, the owner reopens its SUB
    // too (an inproc connection never comes back by itself).
    unsigned generation() const { return generation_; }

private:
    enum class state { joining, joined, lost, left };
    using clock = std::chrono::steady_clock;

    void open();  // a fresh DEALER (and monitor), connected, JOIN sent
    void send(message&& msg);
    void handle_reply(const reply& r);
    void handle_event(std::uint16_t event, std::uint32_t value, const std::string& endpoint);
    void notice(const std::string& text) const;

    zmq::context_t& ctx_;
    const connection_options& opts_;
    std::string handle_;
    std::string routing_id_;  // the same on every fresh socket
    client_events events_;
    const common::console& out_;
    bool monitor_ = false;
    zmq::socket_t dealer_;
    std::unique_ptr<event_pipe> events_pipe_;
    state state_ = state::joining;
    bool ever_joined_ = false;
    std::size_t waiting_ = 0;
    unsigned generation_ = 0;
    clock::time_point last_sent_{}, last_heard_{};
};

}  // namespace chat
