// Socket monitor events read in a role's own poll loop (no extra thread):
// how the chat learns that a security handshake succeeded or failed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <zmq.hpp>

namespace chat {

class event_pipe {
public:
    event_pipe(zmq::context_t& ctx, zmq::socket_ref socket);
    ~event_pipe();  // stops the monitor: destroy it before its socket
    event_pipe(const event_pipe&) = delete;
    event_pipe& operator=(const event_pipe&) = delete;
    zmq::pollitem_t poll_item() { return {pair_.handle(), 0, ZMQ_POLLIN, 0}; }
    // Calls handle(event, value, endpoint) for each queued event.
    void drain(const std::function<void(std::uint16_t, std::uint32_t, const std::string&)>& handle);

private:
    zmq::socket_ref socket_;
    zmq::socket_t pair_;
};

// What went wrong in a failed handshake, in words; "" for any other event.
std::string handshake_failure(std::uint16_t event, std::uint32_t value);

// On a client: a refused or mismatched handshake will not get better by
// retrying, so it throws std::runtime_error with the reason.
void check_handshake(std::uint16_t event, std::uint32_t value, const std::string& endpoint);

}  // namespace chat
