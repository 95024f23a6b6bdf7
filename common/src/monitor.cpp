#include "common/monitor.hpp"

#include <atomic>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

#include "common/codec.hpp"
#include "common/stop.hpp"
#include "common/subscriptions.hpp"
#include "common/throttle.hpp"

namespace common {

std::string event_name(std::uint16_t event)
{
    switch (event) {
    case ZMQ_EVENT_CONNECTED: return "connected";
    case ZMQ_EVENT_CONNECT_DELAYED: return "connect delayed";
    case ZMQ_EVENT_CONNECT_RETRIED: return "connect retried";
    case ZMQ_EVENT_LISTENING: return "listening";
    case ZMQ_EVENT_BIND_FAILED: return "bind failed";
    case ZMQ_EVENT_ACCEPTED: return "accepted";
    case ZMQ_EVENT_ACCEPT_FAILED: return "accept failed";
    case ZMQ_EVENT_CLOSED: return "closed";
    case ZMQ_EVENT_CLOSE_FAILED: return "close failed";
    case ZMQ_EVENT_DISCONNECTED: return "disconnected";
    case ZMQ_EVENT_MONITOR_STOPPED: return "monitor stopped";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return "handshake failed";
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "handshake succeeded";
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "handshake failed (protocol)";
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "handshake failed (authentication)";
    default: {
        char text[32];
        std::snprintf(text, sizeof text, "event 0x%04X", event);
        return text;
    }
    }
}

socket_monitor::socket_monitor(zmq::context_t& ctx, zmq::socket_ref socket, std::string label,
                               const console& out, bool all_events, std::int64_t cut_over, handler also)
    : socket_(socket)
{
    static std::atomic<unsigned> next_id{0};
    const auto endpoint = "inproc://monitor-" + std::to_string(next_id++);
    if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), common::monitored_events) != 0) throw zmq::error_t();
    zmq::socket_t events(ctx, zmq::socket_type::pair);
    events.connect(endpoint);
    // Subscribers' sockets also keep a subscription budget (common/subscriptions.hpp).
    const auto type = socket.get(zmq::sockopt::type);
    const bool budgeted = cut_over > 0 && (type == ZMQ_PUB || type == ZMQ_XPUB);

    // The PAIR socket moves to the reader thread, which alone uses it from now on.
    reader_ = std::jthread([events = std::move(events), label = std::move(label), &out, all_events, cut_over,
                            budgeted, also = std::move(also)](std::stop_token stop) mutable {
        std::vector<zmq::message_t> msg;
        std::optional<subscription_budget> budget;
        if (budgeted) budget.emplace(label, out);
        auto next_check = std::chrono::steady_clock::now();
        throttle cut_off;
        // While a peer is down, libzmq retries (and says so) every reconnect
        // interval: say it once, then every few seconds with a count.
        std::map<std::string, throttle> retries;
        // The next event into msg; while waiting, the budget's checks.
        const auto next_event = [&] {
            while (!stop.stop_requested()) {
                const auto wait = budget && budget->watching() ? subscription_budget::check_interval : forever;
                const bool got = common::recv(events, msg, stop, wait);
                if (budget && std::chrono::steady_clock::now() >= next_check) {
                    budget->check();
                    next_check = std::chrono::steady_clock::now() + subscription_budget::check_interval;
                }
                if (got) return true;
            }
            return false;
        };
        // slide: monitor-read
        while (next_event()) {
            // Frame 1: event (u16 LE), value (u32 LE); frame 2: the endpoint.
            if (msg.size() != 2 || msg[0].size() != 6) continue;
            frame_reader r(msg[0]);
            const auto event = r.get<std::uint16_t>();
            const auto value = r.get<std::uint32_t>();
            if (event == ZMQ_EVENT_MONITOR_STOPPED) break;
        // end slide
            if (budget) budget->on_event(event, value, msg[1].to_string_view());
            if (also) also(event, value, msg[1].to_string());
            if (cut_over > 0 && event == ZMQ_EVENT_DISCONNECTED) {
                if (const auto suppressed = cut_off.allow())
                    out.info(label, ": a peer left, or was cut off for a message over ", cut_over, " bytes",
                             *suppressed ? " (" + std::to_string(*suppressed) + " more since)" : "");
            }
            if (!all_events) continue;
            std::string line = label + ": " + event_name(event) + " " + msg[1].to_string();
            if (event == ZMQ_EVENT_CONNECT_RETRIED || event == ZMQ_EVENT_CONNECT_DELAYED) {
                const auto [it, added] = retries.try_emplace(line, std::chrono::seconds(5));
                const auto suppressed = it->second.allow();
                if (!suppressed) continue;
                if (*suppressed > 0) line += " (" + std::to_string(*suppressed) + " more times)";
            } else if (event == ZMQ_EVENT_CONNECTED) {
                std::erase_if(retries, [&](const auto& kv) { return kv.first.ends_with(" " + msg[1].to_string()); });
            }
            if (event == ZMQ_EVENT_BIND_FAILED || event == ZMQ_EVENT_ACCEPT_FAILED ||
                event == ZMQ_EVENT_CLOSE_FAILED || event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
                line += " (" + std::string(zmq_strerror(static_cast<int>(value))) + ")";
            else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL || event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
                line += " (code " + std::to_string(value) + ")";
            out.info(out.paint("monitor ", colour::grey), line);
        }
    });
}

socket_monitor::~socket_monitor()
{
    // libzmq answers with MONITOR_STOPPED, which ends the reader.
    zmq_socket_monitor(socket_.handle(), nullptr, 0);
    reader_.request_stop();
}

std::unique_ptr<socket_monitor> monitor_if(bool enabled, zmq::context_t& ctx, zmq::socket_ref socket,
                                           std::string label, const console& out)
{
    if (!enabled) return nullptr;
    return std::make_unique<socket_monitor>(ctx, socket, std::move(label), out);
}

std::unique_ptr<socket_monitor> limit_untrusted(zmq::context_t& ctx, zmq::socket_ref socket, std::int64_t max_bytes,
                                                std::string label, const console& out, bool all_events,
                                                socket_monitor::handler also)
{
    socket.set(zmq::sockopt::maxmsgsize, max_bytes);
    if (const auto type = socket.get(zmq::sockopt::type); type == ZMQ_PUB || type == ZMQ_XPUB)
        socket.set(zmq::sockopt::rcvhwm, subscription_rcvhwm);
    return std::make_unique<socket_monitor>(ctx, socket, std::move(label), out, all_events, max_bytes, std::move(also));
}

}  // namespace common
