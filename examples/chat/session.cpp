#include "session.hpp"

#include <atomic>
#include <random>
#include <zmq_addon.hpp>

#include "common/codec.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"

namespace chat {

using namespace std::chrono_literals;

namespace {

// 16 random bytes; libzmq reserves routing ids that start with a zero byte.
std::string random_routing_id()
{
    std::random_device random;
    std::string id(16, '\0');
    for (auto& c : id) c = static_cast<char>(random() & 0xFF);
    if (id[0] == '\0') id[0] = 1;
    return id;
}

}  // namespace

session::session(zmq::context_t& ctx, const connection_options& opts, std::string handle, client_events events,
                 const common::console& out, bool monitor)
    : ctx_(ctx), opts_(opts), handle_(std::move(handle)), routing_id_(random_routing_id()), events_(std::move(events)), out_(out),
      monitor_(monitor)
{
    open();
}

void session::open()
{
    // Lazy Pirate: never reuse a socket that may hold stale requests.
    ++generation_;
    events_pipe_.reset();
    dealer_ = zmq::socket_t(ctx_, zmq::socket_type::dealer);
    dealer_.set(zmq::sockopt::routing_id, routing_id_);  // who we are to the server, across reconnects
    secure_client_socket(dealer_, opts_.security);
    // Handshake results (refused credentials) arrive on the socket monitor.
    events_pipe_ = std::make_unique<event_pipe>(ctx_, dealer_);
    for (const auto& ep : opts_.connect) common::connect(dealer_, ep);

    waiting_ = 0;
    state_ = state_ == state::lost ? state::lost : state::joining;
    last_heard_ = clock::now();
    send(make_message({word::join, handle_}));
}

std::array<zmq::pollitem_t, 2> session::poll_items()
{
    return {{{dealer_.handle(), 0, ZMQ_POLLIN, 0}, events_pipe_->poll_item()}};
}

void session::send(message&& msg)
{
    // DEALER queues while there is no connection; never blocks here.
    if (!zmq::send_multipart(dealer_, msg, zmq::send_flags::dontwait)) return notice("the send queue is full: a message was dropped");
    ++waiting_;
    last_sent_ = clock::now();
}

void session::say(std::string_view room, std::string_view text) { send(make_message({word::say, room, text})); }
void session::who() { send(make_message({word::who})); }
bool session::leave()
{
    const bool was_joined = state_ == state::joined;
    if (was_joined) send(make_message({word::leave}));
    state_ = state::left;
    return was_joined;
}

void session::pump()
{
    events_pipe_->drain([this](std::uint16_t event, std::uint32_t value, const std::string& endpoint) {
        handle_event(event, value, endpoint);
    });
    std::vector<zmq::message_t> msg;
    while (common::recv(dealer_, msg, {}, 0ms)) {
        last_heard_ = clock::now();
        if (msg.size() == 1 && msg[0].to_string_view() == word::ping) continue;  // the server checking we are there
        if (waiting_ > 0) --waiting_;
        auto r = parse_reply(msg);
        if (!r) {
            out_.warn("dropped a malformed reply: ", r.error());
            continue;
        }
        handle_reply(*r);
    }
}

void session::handle_event(std::uint16_t event, std::uint32_t value, const std::string& endpoint)
{
    if (monitor_) out_.info(out_.paint("monitor ", common::colour::grey), "dealer: ", common::event_name(event), " ", endpoint);
    check_handshake(event, value, endpoint);
}

void session::handle_reply(const reply& r)
{
    if (r.ok && r.command == word::join) {
        if (state_ == state::left || state_ == state::joined) return;
        notice(state_ == state::lost ? "the server is back: joined again as " + handle_ : "joined as " + handle_);
        state_ = state::joined;
        ever_joined_ = true;
    } else if (r.ok && r.command == word::leave) {
        state_ = state::left;
    } else if (!r.ok && r.command == word::join) {
        // A handle already taken: fatal the first time; after a reconnect, somebody
        // may have taken it while we were away.
        if (!ever_joined_) throw std::runtime_error("cannot join as '" + handle_ + "': " + r.values[0]);
        notice("cannot join yet (" + r.values[0] + "): trying again");
    } else if (!r.ok && r.values[0].starts_with("not joined") && state_ == state::joined) {
        // The server restarted (or expired us) faster than our timeout.
        notice("the server forgot us: joining again");
        state_ = state::lost;
        send(make_message({word::join, handle_}));
    }
    if (events_.on_reply) events_.on_reply(r);
}

void session::tick()
{
    const auto now = clock::now();
    if (state_ == state::left) return;
    if (now - last_heard_ > opts_.timeout) {
        // Lazy Pirate: give up on this socket; a fresh one joins again.
        if (state_ != state::lost)
            notice("no reply from the server for " + std::to_string(opts_.timeout.count()) + " ms: reconnecting");
        state_ = state::lost;
        open();
        return;
    }
    if (state_ == state::joining || state_ == state::lost) {
        if (now - last_sent_ >= opts_.heartbeat) send(make_message({word::join, handle_}));
    } else if (now - last_sent_ >= opts_.heartbeat) {
        send(make_message({word::ping}));
    }
}

std::chrono::milliseconds session::next_tick() const
{
    const auto now = clock::now();
    const auto due = std::min(last_sent_ + opts_.heartbeat, last_heard_ + opts_.timeout + 1ms);
    return std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(due - now));
}

void session::notice(const std::string& text) const
{
    if (events_.on_notice) events_.on_notice(text);
}

}  // namespace chat
