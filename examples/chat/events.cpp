#include "events.hpp"

#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "common/codec.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"

namespace chat {

using namespace std::chrono_literals;

event_pipe::event_pipe(zmq::context_t& ctx, zmq::socket_ref socket) : socket_(socket), pair_(ctx, zmq::socket_type::pair)
{
    static std::atomic<unsigned> next_id{0};
    const auto endpoint = "inproc://chat-events-" + std::to_string(next_id++);
    if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), common::monitored_events) != 0) throw zmq::error_t();
    pair_.connect(endpoint);
}

event_pipe::~event_pipe()
{
    // Without this, closing a monitored socket leaks its monitor's sockets.
    zmq_socket_monitor(socket_.handle(), nullptr, 0);
}

void event_pipe::drain(const std::function<void(std::uint16_t, std::uint32_t, const std::string&)>& handle)
{
    // Frame 1: event (u16 LE), value (u32 LE); frame 2: the endpoint.
    std::vector<zmq::message_t> msg;
    while (common::recv(pair_, msg, {}, 0ms)) {
        if (msg.size() != 2 || msg[0].size() != 6) continue;
        common::frame_reader r(msg[0]);
        const auto event = r.get<std::uint16_t>();
        handle(event, r.get<std::uint32_t>(), msg[1].to_string());
    }
}

std::string handshake_failure(std::uint16_t event, std::uint32_t value)
{
    switch (event) {
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return "credentials refused (ZAP status " + std::to_string(value) + ")";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        return std::string("handshake failed: ") + zmq_strerror(static_cast<int>(value));
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
            return "the two sides use different security mechanisms (NULL, PLAIN, CURVE)";
        if (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC) return "CURVE could not decrypt: a wrong server key?";
        {
            char code[16];
            std::snprintf(code, sizeof code, "0x%08X", value);
            return std::string("handshake protocol error ") + code;
        }
    default:
        return {};
    }
}

void check_handshake(std::uint16_t event, std::uint32_t value, const std::string& endpoint)
{
    if (event != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && event != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) return;
    throw std::runtime_error("cannot talk to " + endpoint + ": " + handshake_failure(event, value));
}

}  // namespace chat
