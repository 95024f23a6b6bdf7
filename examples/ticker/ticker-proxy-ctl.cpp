// ticker-proxy-ctl: sends one command to ticker-proxy's control socket (REQ)
// and prints the reply. Exit status 1 when the proxy says ERROR or is silent.
#include "common/console.hpp"
#include "common/stop.hpp"
#include "ticker.hpp"

int main(int argc, char** argv)
{
    common::program prog("ticker-proxy-ctl", "Sends PAUSE, RESUME, STATISTICS or TERMINATE to a ticker-proxy.");
    std::vector<std::string> control;
    std::string command;
    double timeout_s = 2;
    prog.add_endpoints("-c,--connect", control, "ticker-proxy-control", common::side::connect, "The proxy's control socket");
    prog.app().add_option("command", command, "PAUSE, RESUME, STATISTICS or TERMINATE")->required();
    prog.app().add_option("--timeout", timeout_s, "Seconds to wait for the reply")->check(CLI::PositiveNumber);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        zmq::socket_t req(ctx, zmq::socket_type::req);
        common::connect(req, control.front());
        req.send(zmq::buffer(command), zmq::send_flags::none);
        std::vector<zmq::message_t> reply;
        const auto timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
        if (!common::recv(req, reply, stop, timeout)) {
            if (stop.stop_requested()) return;
            throw std::runtime_error("no reply from " + control.front());
        }
        const auto text = reply.empty() ? std::string() : reply[0].to_string();
        common::console("ticker-proxy-ctl").summary(text);
        if (!text.starts_with("OK")) throw std::runtime_error("the proxy refused the command");
    });
}
