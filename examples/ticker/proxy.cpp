// ticker-proxy: XSUB connects to publishers (default tcp://127.0.0.1:5556),
// XPUB binds for subscribers (default tcp://*:5557); zmq_proxy_steerable
// shuttles ticks down and subscriptions up. A REP socket (default
// tcp://*:5558) takes PAUSE, RESUME, STATISTICS and TERMINATE, and passes
// only those to the proxy: libzmq 4.3 aborts on any other command.
#include <array>
#include <atomic>
#include <functional>
#include <thread>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/subscriptions.hpp"
#include "common/stop.hpp"
#include "ticker.hpp"

namespace ticker {

using namespace std::chrono_literals;

void add_options(common::program& prog, proxy_options& opts)
{
    prog.add_role_options(opts.role);
    prog.add_endpoints("-c,--connect", opts.connect, "ticker", common::side::connect, "Publisher for the XSUB to connect to");
    prog.app().add_option("--frontend-bind", opts.frontend_bind, "Also bind the XSUB here, for publishers to connect to (repeatable)")
        ->type_name("ENDPOINT")->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("");
    prog.after_parse([&prog, &opts] {  // publishers come to us: no default upstream
        if (!opts.frontend_bind.empty() && prog.app().count("--connect") == 0) opts.connect.clear();
    });
    prog.add_endpoints("-b,--bind", opts.bind, "ticker-proxy", common::side::bind, "Where subscribers connect (XPUB)");
    prog.add_endpoints("--control", opts.control, "ticker-proxy-control", common::side::bind, "REP socket for PAUSE, RESUME, STATISTICS, TERMINATE");
    prog.app().add_option("--capture", opts.capture, "PUB socket with a copy of all traffic, both ways (repeatable; default: none)")
        ->type_name("ENDPOINT")->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("");
}

namespace {

// What the control socket accepts; everything else gets an error reply.
bool is_proxy_command(std::string_view cmd)
{
    return cmd == "PAUSE" || cmd == "RESUME" || cmd == "STATISTICS" || cmd == "TERMINATE";
}

// STATISTICS comes back as 8 u64 frames: msgs in, bytes in, msgs out, bytes out,
// for the frontend, then the backend.
std::string describe_statistics(const std::vector<zmq::message_t>& stats)
{
    if (stats.size() != 8) return "ERROR statistics reply had " + std::to_string(stats.size()) + " frames";
    std::array<std::uint64_t, 8> n{};
    for (std::size_t i = 0; i < 8; ++i)
        if (stats[i].size() == 8) n[i] = common::frame_reader(stats[i]).get<std::uint64_t>();
    return "OK frontend in " + std::to_string(n[0]) + " msgs/" + std::to_string(n[1]) + " bytes, out " +
           std::to_string(n[2]) + " msgs/" + std::to_string(n[3]) + " bytes; backend in " +
           std::to_string(n[4]) + " msgs/" + std::to_string(n[5]) + " bytes, out " +
           std::to_string(n[6]) + " msgs/" + std::to_string(n[7]) + " bytes";
}

// A subscription travelling upstream: one frame, \x01 (subscribe) or \x00
// (unsubscribe) then the topic.
void log_subscription(const common::console& out, const std::vector<zmq::message_t>& msg)
{
    if (msg.size() != 1 || msg[0].size() == 0) return;
    const auto* bytes = static_cast<const unsigned char*>(msg[0].data());
    if (bytes[0] > 1) return;
    const std::string_view topic(static_cast<const char*>(msg[0].data()) + 1, msg[0].size() - 1);
    out.info(bytes[0] == 1 ? "subscribe " : "unsubscribe ",
             topic.empty() ? "(everything)" : "'" + common::printable(topic) + "'", " travels upstream");
}

// libzmq 4.3.5 (Debian 13) has two bugs in zmq_proxy_steerable, fixed after
// that release (libzmq commit f8b3cc81): PAUSE and RESUME do each other's
// job, and every command but STATISTICS gets an empty reply, even on a PAIR.
bool steering_of_4_3_5()
{
    int major = 0, minor = 0, patch = 0;
    zmq_version(&major, &minor, &patch);
    return major == 4 && minor == 3 && patch == 5;
}

}  // namespace

void run_proxy(zmq::context_t& ctx, const proxy_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    static std::atomic<unsigned> next_id{0};
    const auto id = std::to_string(next_id++);

    zmq::socket_t frontend(ctx, zmq::socket_type::xsub);
    zmq::socket_t backend(ctx, zmq::socket_type::xpub);
    // Both sides take messages from peers: a frame over 512 bytes (a tick is
    // far smaller) cuts its peer off (common/subscriptions.hpp).
    const auto limit = common::max_subscription_bytes;
    auto front_monitor = common::limit_untrusted(ctx, frontend, limit, "xsub", out, opts.role.monitor);
    auto back_monitor = common::limit_untrusted(ctx, backend, limit, "xpub", out, opts.role.monitor);
    for (const auto& ep : opts.frontend_bind) out.info("publishers connect to ", common::bind(frontend, ep));
    for (const auto& ep : opts.connect) common::connect(frontend, ep);
    for (const auto& ep : opts.bind) out.info("subscribers connect to ", common::bind(backend, ep));

    // Capture: a copy of every message, both ways. A PUB, because its mute
    // state drops: a slow reader never stalls the proxy.
    zmq::socket_t capture(ctx, zmq::socket_type::pub);
    zmq::socket_t tap(ctx, zmq::socket_type::sub);
    const bool capturing = !out.quiet() || !opts.capture.empty();
    if (capturing) {
        capture.bind("inproc://ticker-proxy-capture-" + id);
        for (const auto& ep : opts.capture) out.info("capture on ", common::bind(capture, ep));
        tap.set(zmq::sockopt::subscribe, "");
        tap.connect("inproc://ticker-proxy-capture-" + id);
    }

    // Steering: an inproc PAIR only this thread talks to.
    zmq::socket_t steer(ctx, zmq::socket_type::pair);
    zmq::socket_t steer_client(ctx, zmq::socket_type::pair);
    steer.bind("inproc://ticker-proxy-steer-" + id);
    steer_client.connect("inproc://ticker-proxy-steer-" + id);

    zmq::socket_t control(ctx, zmq::socket_type::rep);
    for (const auto& ep : opts.control) out.info("control on ", common::bind(control, ep));

    // slide: ticker-proxy-run
    // The proxy thread alone uses the four sockets until it ends, on TERMINATE.
    std::jthread proxy([&] {
        zmq_proxy_steerable(frontend.handle(), backend.handle(),
                            capturing ? capture.handle() : nullptr,
                            steer.handle());
    });
    // end slide
    const bool quirks = steering_of_4_3_5();
    auto tell_proxy = [&](std::string cmd) {
        if (quirks && (cmd == "PAUSE" || cmd == "RESUME")) cmd = cmd == "PAUSE" ? "RESUME" : "PAUSE";
        steer_client.send(zmq::buffer(cmd), zmq::send_flags::none);
        std::vector<zmq::message_t> ignored;
        if (quirks && cmd != "STATISTICS") (void)common::recv(steer_client, ignored, stop, 1s);
    };
    // However this function ends, TERMINATE goes out before the thread is joined.
    struct on_exit {
        std::function<void()> run;
        ~on_exit() { try { run(); } catch (...) {} }  // never throw from a destructor
    } terminate_proxy{[&] { tell_proxy("TERMINATE"); }};

    std::vector<zmq::message_t> msg, stats;
    std::array<zmq::pollitem_t, 2> items{{{control.handle(), 0, ZMQ_POLLIN, 0}, {tap.handle(), 0, ZMQ_POLLIN, 0}}};
    bool terminated = false;
    while (!terminated && common::poll(std::span(items.data(), capturing ? 2 : 1), stop)) {
        if (capturing && (items[1].revents & ZMQ_POLLIN) && common::recv(tap, msg, stop, 0ms))
            log_subscription(out, msg);
        if ((items[0].revents & ZMQ_POLLIN) == 0 || !common::recv(control, msg, stop)) continue;
        const std::string cmd = msg.size() == 1 ? msg[0].to_string() : "";
        std::string reply;
        if (!is_proxy_command(cmd)) {
            reply = "ERROR unknown command '" + common::printable(cmd) + "': expected PAUSE, RESUME, STATISTICS or TERMINATE";
            out.warn("control: ", reply);
        } else if (cmd == "STATISTICS") {
            tell_proxy(cmd);
            reply = common::recv(steer_client, stats, stop) ? describe_statistics(stats) : "ERROR stopping";
        } else {
            tell_proxy(cmd);
            out.info("control: ", cmd);
            reply = "OK";
            terminated = cmd == "TERMINATE";
        }
        control.send(zmq::buffer(reply), zmq::send_flags::none);
    }
    if (!terminated) tell_proxy("TERMINATE");
    proxy.join();
    out.info("stopped");
}

}  // namespace ticker
