// chat-bench: one load process simulating many chat clients against a real
// chat-server process. Each simulated client has a DEALER (to the server's
// ROUTER) and a SUB (to its XPUB), joins, then says one message per second.
// Every message carries its send time; every client that receives it records
// the latency. Prints p50/p99 latency, messages/s through the server, and the
// server's CPU use (from /proc/PID/stat).
#include <algorithm>
#include <atomic>
#include <barrier>
#include <charconv>
#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <zmq_addon.hpp>

#include "common/console.hpp"
#include "common/program.hpp"
#include "common/stop.hpp"
#include "process.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::string_view room = "bench";
constexpr auto reply_drain_every = 50ms;  // DEALERs' OK replies: read in batches
constexpr auto drain_after = 1s;          // wait for the last messages to arrive

struct bench_options {
    int clients = 500;
    double rate = 1;         // messages per second per client
    double warmup = 3;       // seconds before measuring
    double measure = 10;     // seconds measured
    int threads = 2;         // load threads, each owning clients/threads clients
    std::string server = CHAT_SERVER;
};

std::int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count(); }

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;  // fields 3..13
    long utime = 0, stime = 0;
    fields >> utime >> stime;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A tcp port nobody uses right now (the kernel's pick).
std::string free_endpoint(zmq::context_t& ctx)
{
    zmq::socket_t probe(ctx, zmq::socket_type::pair);
    probe.bind("tcp://127.0.0.1:*");
    return probe.get(zmq::sockopt::last_endpoint);
}

void send_frames(zmq::socket_t& s, std::initializer_list<std::string_view> frames)
{
    std::vector<zmq::message_t> msg;
    for (auto f : frames) msg.emplace_back(f.data(), f.size());
    zmq::send_multipart(s, msg);
}

// One load thread: its clients' sockets, its schedule, its latencies.
struct load_thread {
    std::vector<zmq::socket_t> dealers, subs;
    std::vector<std::int64_t> latencies_ns;
    std::uint64_t said_in_window = 0, received = 0;
};

}  // namespace

int main(int argc, char** argv)
{
    // 500 clients: 1000 sockets here and 1000 connections in the server.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    bench_options opts;
    common::program prog("chat-bench", "Load test: many simulated chat clients against a chat-server process (Example 3).");
    auto& app = prog.app();
    app.add_option("--clients", opts.clients, "Simulated clients")->check(CLI::Range(2, 5000));
    app.add_option("--rate", opts.rate, "Messages per second said by each client")->check(CLI::PositiveNumber);
    app.add_option("--warmup", opts.warmup, "Seconds of load before measuring")->check(CLI::NonNegativeNumber);
    app.add_option("--measure", opts.measure, "Seconds measured")->check(CLI::PositiveNumber);
    app.add_option("--threads", opts.threads, "Load threads")->check(CLI::Range(1, 16));
    app.add_option("--server", opts.server, "The chat-server program");

    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        const common::console out("chat-bench");
        ctx.set(zmq::ctxopt::max_sockets, 4 * opts.clients + 64);

        // --quiet, so that it does not print a line per message: it then prints no
        // endpoints either, so we pick two free ports for it.
        const auto commands = free_endpoint(ctx), broadcasts = free_endpoint(ctx);
        support::process server({opts.server, "--bind", commands, "--publish", broadcasts, "--quiet", "--expiry", "60"});

        std::vector<load_thread> loads(static_cast<std::size_t>(opts.threads));
        const auto period = std::chrono::duration<double>(1.0 / opts.rate);
        clock_type::time_point start, window_start, window_end;
        double server_cpu_start = 0, server_cpu_end = 0, self_cpu_start = 0, self_cpu_end = 0;
        // Everyone joined -> start the clock; window over -> stop sending.
        std::barrier joined(opts.threads, [&]() noexcept {
            start = clock_type::now();
            window_start = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opts.warmup));
            window_end = window_start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opts.measure));
        });

        auto run_load = [&](std::size_t t) {
            auto& load = loads[t];
            const int first = opts.clients * static_cast<int>(t) / opts.threads;
            const int last = opts.clients * static_cast<int>(t + 1) / opts.threads;
            for (int c = first; c < last; ++c) {
                load.subs.emplace_back(ctx, zmq::socket_type::sub);
                load.subs.back().set(zmq::sockopt::subscribe, room);
                load.subs.back().set(zmq::sockopt::subscribe, "*WELCOME");
                load.subs.back().connect(broadcasts);
                load.dealers.emplace_back(ctx, zmq::socket_type::dealer);
                load.dealers.back().connect(commands);
            }
            // Every SUB welcomed (subscribed), then every client joined.
            std::vector<zmq::message_t> msg;
            for (auto& s : load.subs)
                if (!common::recv(s, msg, stop, 30s)) throw std::runtime_error("no welcome from the server");
            for (int c = first; c < last; ++c) send_frames(load.dealers[c - first], {"JOIN", "bench-" + std::to_string(c)});
            for (auto& d : load.dealers)
                if (!common::recv(d, msg, stop, 30s) || msg[0].to_string_view() != "OK") throw std::runtime_error("a JOIN failed");
            joined.arrive_and_wait();

            std::vector<zmq::pollitem_t> items;
            for (auto& s : load.subs) items.push_back({s.handle(), 0, ZMQ_POLLIN, 0});
            const auto n = static_cast<std::size_t>(last - first);
            std::vector<clock_type::time_point> due(n);
            for (std::size_t i = 0; i < n; ++i)  // evenly spread over one period
                due[i] = start + std::chrono::duration_cast<clock_type::duration>(period * (static_cast<double>(first + i) / opts.clients));
            auto next_drain = clock_type::now();
            char text[64];
            while (!stop.stop_requested() && clock_type::now() < window_end + drain_after) {
                auto now = clock_type::now();
                // Say what is due.
                auto next = window_end + drain_after;
                for (std::size_t i = 0; i < n; ++i) {
                    if (due[i] <= now && now < window_end) {
                        const auto sent = now_ns();
                        auto [end, ec] = std::to_chars(text, text + sizeof text, sent);
                        send_frames(load.dealers[i], {"SAY", room, std::string_view(text, static_cast<std::size_t>(end - text))});
                        if (now >= window_start) ++load.said_in_window;
                        due[i] += std::chrono::duration_cast<clock_type::duration>(period);
                    }
                    next = std::min(next, due[i]);
                }
                // Receive, timing what was said inside the window.
                const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - clock_type::now());
                if (zmq::poll(items, std::clamp(wait, 0ms, 50ms)) > 0) {
                    for (std::size_t i = 0; i < n; ++i) {
                        if (!(items[i].revents & ZMQ_POLLIN)) continue;
                        while (zmq::recv_multipart(load.subs[i], std::back_inserter(msg), zmq::recv_flags::dontwait)) {
                            const auto arrived = now_ns();
                            std::int64_t sent = 0;
                            if (msg.size() == 4) std::from_chars(msg[3].data<char>(), msg[3].data<char>() + msg[3].size(), sent);
                            const auto sent_at = clock_type::time_point(std::chrono::nanoseconds(sent));
                            if (sent_at >= window_start && sent_at < window_end) {
                                load.latencies_ns.push_back(arrived - sent);
                                ++load.received;
                            }
                            msg.clear();
                        }
                    }
                }
                if (clock_type::now() >= next_drain) {
                    for (auto& d : load.dealers)
                        while (zmq::recv_multipart(d, std::back_inserter(msg), zmq::recv_flags::dontwait)) msg.clear();
                    next_drain = clock_type::now() + reply_drain_every;
                }
            }
        };

        // CPU figures at the window's edges, from a watcher thread.
        std::jthread watcher([&](std::stop_token done) {
            while (start == clock_type::time_point{} && !done.stop_requested()) std::this_thread::sleep_for(1ms);
            std::this_thread::sleep_until(window_start);
            server_cpu_start = cpu_seconds(server.pid());
            self_cpu_start = cpu_seconds(::getpid());
            std::this_thread::sleep_until(window_end);
            server_cpu_end = cpu_seconds(server.pid());
            self_cpu_end = cpu_seconds(::getpid());
        });
        out.summary("server ", opts.server, " (pid ", server.pid(), "); ", opts.clients, " clients, ", opts.rate,
                    " msg/s each, ", opts.threads, " load threads; warm-up ", opts.warmup, " s, measuring ", opts.measure, " s");
        {
            std::vector<std::jthread> threads;
            for (std::size_t t = 0; t < loads.size(); ++t)
                threads.emplace_back([&, t] {
                    try {
                        run_load(t);
                    } catch (const std::exception& e) {  // the others wait at the barrier: end it all here
                        out.error(e.what());
                        std::_Exit(1);
                    }
                });
        }
        watcher.join();
        if (stop.stop_requested()) return;

        std::vector<std::int64_t> all;
        std::uint64_t said = 0, received = 0;
        for (auto& l : loads) {
            all.insert(all.end(), l.latencies_ns.begin(), l.latencies_ns.end());
            said += l.said_in_window;
            received += l.received;
        }
        if (all.empty()) throw std::runtime_error("no message arrived");
        std::sort(all.begin(), all.end());
        auto pct = [&](double p) { return static_cast<double>(all[std::min(all.size() - 1, static_cast<std::size_t>(p * all.size()))]) / 1e6; };
        const auto expected = said * static_cast<std::uint64_t>(opts.clients);
        char line[256];
        std::snprintf(line, sizeof line, "said %.0f msg/s through the server; delivered %.0f msg/s to clients (%llu of %llu expected, %.2f%%)",
                      said / opts.measure, received / opts.measure, static_cast<unsigned long long>(received),
                      static_cast<unsigned long long>(expected), 100.0 * received / std::max<std::uint64_t>(expected, 1));
        out.summary(line);
        std::snprintf(line, sizeof line, "latency say -> arrival: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                      pct(0.50), pct(0.90), pct(0.99), static_cast<double>(all.back()) / 1e6);
        out.summary(line);
        std::snprintf(line, sizeof line, "CPU: server %.0f%% of one core, this load process %.0f%%",
                      100.0 * (server_cpu_end - server_cpu_start) / opts.measure, 100.0 * (self_cpu_end - self_cpu_start) / opts.measure);
        out.summary(line);
        server.signal(SIGINT);
        server.wait_exit(5s);
    });
}
