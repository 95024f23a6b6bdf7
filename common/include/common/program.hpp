// The command-line conventions of every program, and the thin main() around a
// role:
//
//   int main(int argc, char** argv)
//   {
//       ticker::pub_options opts;
//       common::program prog("ticker-pub", "Publishes stock prices on a PUB socket");
//       ticker::add_options(prog, opts);
//       return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
//           ticker::run_pub(ctx, opts, stop);
//       });
//   }
//
// Exit status: 0 when the role ends or is stopped (SIGINT, SIGTERM, --duration);
// 2 for a usage error (message on stderr); 1 for a runtime error (message on stderr);
// 3 when a role ends with a partial result (partial_result: message on stderr).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "common/endpoint.hpp"

namespace common {

// What every role takes, besides its own options.
struct role_options {
    std::string name;      // prefix of its output lines
    bool quiet = false;    // only warnings, errors and final figures
    bool monitor = false;  // print its sockets' events
};

// A bad combination of options, found after parsing: exit status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A role that ran to its end but has only part of its result (e.g. a sink
// restarted mid-batch): exit status 3, not success.
struct partial_result : std::runtime_error {
    using std::runtime_error::runtime_error;
};
constexpr int partial_result_status = 3;

enum class side { bind, connect };

// A context for roles: linger 0 on its sockets (ZMQ_BLOCKY off), so that
// closing it never hangs on undelivered messages. A role that must deliver
// its last messages waits for the peer's confirmation instead.
zmq::context_t make_context();

// Connects, turning libzmq's "Invalid argument" into a message that names
// the endpoint.
void connect(zmq::socket_ref socket, const std::string& endpoint);

class program {
public:
    program(std::string name, std::string description);

    CLI::App& app() { return app_; }
    const std::string& name() const { return name_; }

    // --name, --quiet, --monitor
    void add_role_options(role_options& opts);
    // -t,--transport: which transport the default endpoints use.
    void add_transport(transport default_transport = transport::tcp);
    // One endpoint option (e.g. --bind), repeatable. Left empty on the command
    // line, it gets the --transport default for the service. Adds --transport.
    void add_endpoints(const std::string& flag, std::vector<std::string>& out, std::string service,
                       side s, const std::string& help);
    // --count N: stop after N messages (0: no limit).
    void add_count(std::uint64_t& count, const std::string& what);
    // Checks run after parsing, in order; they throw usage_error.
    void after_parse(std::function<void()> check) { checks_.push_back(std::move(check)); }
    // For programs that run a whole topology as threads.
    void allow_inproc() { inproc_ok_ = true; }
    transport chosen_transport() const { return transport_; }

    // Parses the command line, then runs the role with a fresh context and a
    // stop token that SIGINT, SIGTERM and --duration trigger.
    int run(int argc, char** argv, const std::function<void(zmq::context_t&, std::stop_token)>& role);

private:
    int parse(int argc, char** argv);  // -1: parsed; else the exit status

    std::string name_;
    CLI::App app_;
    transport transport_ = transport::tcp;
    bool transport_added_ = false;
    bool inproc_ok_ = false;
    double duration_ = 0;
    std::vector<std::function<void()>> checks_;
};

}  // namespace common
