// chat-bench: one load process simulating many chat clients against a real
// chat-server process, and, in the same run, against a raw libzmq server that
// speaks the same frames with none of the chat's logic (the baseline). Each
// simulated client has a DEALER (to the server's ROUTER) and a SUB (to its
// XPUB), joins, then says one message per second. Every message carries its
// send time; every client that receives it records the latency. Prints p50/p99
// latency, deliveries/s, and the CPU used by the server and by this process.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/epoll.h>
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
    bool baseline = true;
};

std::int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count(); }

struct cpu_time {
    double user = 0, system = 0;  // seconds
    double total() const { return user + system; }
    cpu_time operator-(const cpu_time& o) const { return {user - o.user, system - o.system}; }
};

// utime and stime of a process: user space, and the kernel (here mostly TCP on loopback).
cpu_time cpu_seconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;  // fields 3..13
    long utime = 0, stime = 0;
    fields >> utime >> stime;
    const auto tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return {static_cast<double>(utime) / tick, static_cast<double>(stime) / tick};
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

volatile std::sig_atomic_t raw_stop = 0;

// The baseline: what any ROUTER -> XPUB chat server must do, and nothing else:
// JOIN gets OK, SAY goes out as [room][MSG][handle][text] and gets OK. No
// validation, no members, no log. Plain libzmq calls. Until SIGINT or SIGTERM.
void run_raw_server(const std::string& commands, const std::string& broadcasts)
{
    std::signal(SIGINT, [](int) { raw_stop = 1; });
    std::signal(SIGTERM, [](int) { raw_stop = 1; });
    std::uint64_t said = 0;
    zmq::context_t ctx;
    zmq::socket_t router(ctx, zmq::socket_type::router), pub(ctx, zmq::socket_type::xpub);
    pub.set(zmq::sockopt::xpub_welcome_msg, "*WELCOME");
    router.bind(commands);
    pub.bind(broadcasts);
    std::printf("ready\n");
    std::fflush(stdout);
    std::vector<zmq::message_t> msg;
    zmq::message_t sub;
    zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0}, {pub.handle(), 0, ZMQ_POLLIN, 0}};
    while (!raw_stop) {
        try {
            zmq::poll(items, 2, std::chrono::milliseconds(100));
        } catch (const zmq::error_t&) {  // EINTR
            continue;
        }
        while (pub.recv(sub, zmq::recv_flags::dontwait)) {}
        for (int i = 0; i < 100; ++i) {
            msg.clear();
            if (!zmq::recv_multipart(router, std::back_inserter(msg), zmq::recv_flags::dontwait)) break;
            if (msg.size() < 2) continue;
            const auto command = msg[1].to_string_view();
            if (command == "SAY" && msg.size() == 4) {
                pub.send(msg[2], zmq::send_flags::sndmore);
                pub.send(zmq::str_buffer("MSG"), zmq::send_flags::sndmore);
                pub.send(zmq::str_buffer("bench"), zmq::send_flags::sndmore);
                pub.send(msg[3], zmq::send_flags::none);
                ++said;
            }
            router.send(msg[0], zmq::send_flags::sndmore);
            router.send(zmq::str_buffer("OK"), zmq::send_flags::sndmore);
            if (command == "JOIN" && msg.size() == 3) {
                router.send(msg[1], zmq::send_flags::sndmore);
                router.send(msg[2], zmq::send_flags::none);
            } else {
                router.send(msg[1], zmq::send_flags::none);
            }
        }
    }
    std::printf("[raw-server] stopped after %llu messages\n", static_cast<unsigned long long>(said));
}

// One load thread: its clients' sockets, its schedule, its latencies.
struct load_thread {
    std::vector<zmq::socket_t> dealers, subs;
    std::vector<std::int64_t> latencies_ns;  // send -> arrival, every receiver
    std::vector<std::int64_t> lag_ns;        // how late each send was, against its schedule
    std::uint64_t said_in_window = 0, received = 0;
};

struct figures {
    std::vector<std::int64_t> latencies_ns, lag_ns;
    std::uint64_t said = 0, received = 0;
    cpu_time server_cpu, self_cpu;  // over the window
};

double percentile_ms(const std::vector<std::int64_t>& sorted, double p)
{
    if (sorted.empty()) return 0;
    return static_cast<double>(sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))]) / 1e6;
}

// Clients against one server (already started, on these endpoints).
figures measure(zmq::context_t& ctx, const bench_options& opts, const std::string& commands, const std::string& broadcasts,
                pid_t server_pid, std::stop_token stop, const common::console& out)
{
    std::vector<load_thread> loads(static_cast<std::size_t>(opts.threads));
    const auto period = std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(1.0 / opts.rate));
    std::atomic<bool> started{false};
    clock_type::time_point start, window_start, window_end;
    cpu_time server_cpu_start, server_cpu_end, self_cpu_start, self_cpu_end;
    // Everyone joined -> start the clock; window over -> stop sending.
    std::barrier joined(opts.threads, [&]() noexcept {
        start = clock_type::now();
        window_start = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opts.warmup));
        window_end = window_start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opts.measure));
        started = true;
    });

    auto run_load = [&](std::size_t t) {
        auto& load = loads[t];
        const int first = opts.clients * static_cast<int>(t) / opts.threads;
        const int last = opts.clients * static_cast<int>(t + 1) / opts.threads;
        const auto n = static_cast<std::size_t>(last - first);
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

        // Many sockets, few ready at a time: epoll on each SUB's ZMQ_FD costs per
        // ready socket, where zmq_poll would look at every socket on every wake.
        // ZMQ_FD only says "something changed": each ready SUB is read until empty.
        const int ep = ::epoll_create1(EPOLL_CLOEXEC);
        for (std::size_t i = 0; i < n; ++i) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = i;
            if (::epoll_ctl(ep, EPOLL_CTL_ADD, load.subs[i].get(zmq::sockopt::fd), &ev) != 0) throw std::runtime_error("epoll_ctl");
        }
        std::vector<std::size_t> to_read(n);
        for (std::size_t i = 0; i < n; ++i) to_read[i] = i;  // whatever came before the epoll set existed
        joined.arrive_and_wait();

        // The thread's clients are due in turn, evenly spread over one period.
        std::size_t next = 0;
        auto due_of = [&](std::size_t i, std::int64_t round) {
            return start + std::chrono::duration_cast<clock_type::duration>(period * (static_cast<double>(first + static_cast<int>(i)) / opts.clients)) +
                   period * round;
        };
        std::int64_t round = 0;
        auto next_due = due_of(0, 0);
        auto next_drain = clock_type::now();
        char text[32];
        std::vector<epoll_event> ready(n);
        const auto end = window_end + drain_after;
        while (!stop.stop_requested()) {
            // Say what is due.
            auto now = clock_type::now();
            if (now >= end) break;
            while (next_due <= now && next_due < window_end) {
                const auto sent = now_ns();
                auto [stop_at, ec] = std::to_chars(text, text + sizeof text, sent);
                send_frames(load.dealers[next], {"SAY", room, std::string_view(text, static_cast<std::size_t>(stop_at - text))});
                if (next_due >= window_start) {
                    ++load.said_in_window;
                    load.lag_ns.push_back(sent - std::chrono::duration_cast<std::chrono::nanoseconds>(next_due.time_since_epoch()).count());
                }
                if (++next == n) { next = 0; ++round; }
                next_due = due_of(next, round);
                now = clock_type::now();
            }
            // Receive, timing what was said inside the window.
            for (const auto i : to_read) {
                while (common::recv(load.subs[i], msg, {}, 0ms)) {
                    const auto arrived = now_ns();
                    std::int64_t sent = 0;
                    if (msg.size() == 4) std::from_chars(msg[3].data<char>(), msg[3].data<char>() + msg[3].size(), sent);
                    const auto sent_at = clock_type::time_point(std::chrono::nanoseconds(sent));
                    if (sent_at >= window_start && sent_at < window_end) {
                        load.latencies_ns.push_back(arrived - sent);
                        ++load.received;
                    }
                }
            }
            to_read.clear();
            if (now >= next_drain) {
                for (auto& d : load.dealers)
                    while (common::recv(d, msg, {}, 0ms)) {}
                next_drain = now + reply_drain_every;
            }
            const auto until = std::min({next_due < window_end ? next_due : end, next_drain, end});
            const auto wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(until - clock_type::now()), 0ms, 50ms);
            const int k = ::epoll_wait(ep, ready.data(), static_cast<int>(ready.size()), static_cast<int>(wait.count()));
            for (int e = 0; e < k; ++e) to_read.push_back(static_cast<std::size_t>(ready[static_cast<std::size_t>(e)].data.u64));
        }
        ::close(ep);
    };

    // CPU figures at the window's edges, from a watcher thread.
    std::jthread watcher([&](std::stop_token done) {
        while (!started && !done.stop_requested()) std::this_thread::sleep_for(1ms);
        std::this_thread::sleep_until(window_start);
        server_cpu_start = cpu_seconds(server_pid);
        self_cpu_start = cpu_seconds(::getpid());
        std::this_thread::sleep_until(window_end);
        server_cpu_end = cpu_seconds(server_pid);
        self_cpu_end = cpu_seconds(::getpid());
    });
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

    figures f;
    for (auto& l : loads) {
        f.latencies_ns.insert(f.latencies_ns.end(), l.latencies_ns.begin(), l.latencies_ns.end());
        f.lag_ns.insert(f.lag_ns.end(), l.lag_ns.begin(), l.lag_ns.end());
        f.said += l.said_in_window;
        f.received += l.received;
    }
    std::sort(f.latencies_ns.begin(), f.latencies_ns.end());
    std::sort(f.lag_ns.begin(), f.lag_ns.end());
    f.server_cpu = server_cpu_end - server_cpu_start;
    f.self_cpu = self_cpu_end - self_cpu_start;
    return f;
}

void report(const common::console& out, const bench_options& opts, const std::string& who, const figures& f)
{
    const auto expected = f.said * static_cast<std::uint64_t>(opts.clients);
    char line[320];
    std::snprintf(line, sizeof line, "%-11s said %.0f msg/s; delivered %.0f msg/s (%llu of %llu, %.2f%%)", who.c_str(),
                  static_cast<double>(f.said) / opts.measure, static_cast<double>(f.received) / opts.measure,
                  static_cast<unsigned long long>(f.received), static_cast<unsigned long long>(expected),
                  100.0 * static_cast<double>(f.received) / static_cast<double>(std::max<std::uint64_t>(expected, 1)));
    out.summary(line);
    std::snprintf(line, sizeof line, "%-11s latency send -> arrival at every receiver: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                  who.c_str(), percentile_ms(f.latencies_ns, 0.5), percentile_ms(f.latencies_ns, 0.9),
                  percentile_ms(f.latencies_ns, 0.99), f.latencies_ns.empty() ? 0.0 : static_cast<double>(f.latencies_ns.back()) / 1e6);
    out.summary(line);
    auto pct = [&](double seconds) { return 100.0 * seconds / opts.measure; };
    std::snprintf(line, sizeof line,
                  "%-11s CPU (%% of one core, user+kernel): server %.0f%% (%.0f+%.0f), this load process %.0f%% (%.0f+%.0f); "
                  "sends late by p99 %.2f ms",
                  who.c_str(), pct(f.server_cpu.total()), pct(f.server_cpu.user), pct(f.server_cpu.system), pct(f.self_cpu.total()),
                  pct(f.self_cpu.user), pct(f.self_cpu.system), percentile_ms(f.lag_ns, 0.99));
    out.summary(line);
}

std::vector<std::string> split(const std::string& command)
{
    std::istringstream in(command);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

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
    common::program prog("chat-bench", "Load test: many simulated chat clients against a chat-server process, and against a raw "
                                       "libzmq server in the same run (Example 3).");
    auto& app = prog.app();
    app.add_option("--clients", opts.clients, "Simulated clients")->check(CLI::Range(2, 5000));
    app.add_option("--rate", opts.rate, "Messages per second said by each client")->check(CLI::PositiveNumber);
    app.add_option("--warmup", opts.warmup, "Seconds of load before measuring")->check(CLI::NonNegativeNumber);
    app.add_option("--measure", opts.measure, "Seconds measured")->check(CLI::PositiveNumber);
    app.add_option("--threads", opts.threads, "Load threads")->check(CLI::Range(1, 16));
    app.add_option("--server", opts.server, "The chat-server command (e.g. '/usr/bin/valgrind --tool=callgrind build/bin/chat-server'; "
                                            "'build/bin/chat-bench --raw-server': the baseline)");
    app.add_flag("!--no-baseline", opts.baseline, "Skip the raw libzmq baseline");

    // The baseline server takes the chat-server's --bind and --publish (and ignores the rest).
    if (argc > 1 && std::string_view(argv[1]) == "--raw-server") {
        std::string commands, broadcasts;
        for (int i = 2; i + 1 < argc; ++i) {
            if (std::string_view(argv[i]) == "--bind") commands = argv[i + 1];
            if (std::string_view(argv[i]) == "--publish") broadcasts = argv[i + 1];
        }
        if (commands.empty() || broadcasts.empty()) return 2;
        run_raw_server(commands, broadcasts);
        return 0;
    }
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        const common::console out("chat-bench");
        ctx.set(zmq::ctxopt::max_sockets, 4 * opts.clients + 64);
        out.summary(opts.clients, " clients, ", opts.rate, " msg/s each (", opts.clients * opts.rate * opts.clients,
                    " deliveries/s), ", opts.threads, " load threads; warm-up ", opts.warmup, " s, measuring ", opts.measure, " s");

        std::optional<figures> raw;
        if (opts.baseline) {
            const auto commands = free_endpoint(ctx), broadcasts = free_endpoint(ctx);
            support::process server({"/proc/self/exe", "--raw-server", "--bind", commands, "--publish", broadcasts});
            if (!server.wait_for("ready", 10s)) throw std::runtime_error("the baseline server did not start: " + server.output());
            raw = measure(ctx, opts, commands, broadcasts, server.pid(), stop, out);
            if (stop.stop_requested()) return;
            report(out, opts, "raw libzmq", *raw);
        }

        // --quiet, so that it does not print a line per message: it then prints no
        // endpoints either, so we pick two free ports for it.
        const auto commands = free_endpoint(ctx), broadcasts = free_endpoint(ctx);
        auto argv_server = split(opts.server);
        argv_server.insert(argv_server.end(), {"--bind", commands, "--publish", broadcasts, "--quiet", "--expiry", "60"});
        support::process server(argv_server);
        const auto ours = measure(ctx, opts, commands, broadcasts, server.pid(), stop, out);
        if (stop.stop_requested()) return;
        report(out, opts, "chat-server", ours);
        server.signal(SIGINT);
        server.wait_exit(30s);
        if (ours.latencies_ns.empty()) throw std::runtime_error("no message arrived");

        if (raw && !raw->latencies_ns.empty()) {
            char line[256];
            std::snprintf(line, sizeof line, "chat-server / raw libzmq: p50 x%.2f, p99 x%.2f, server CPU x%.2f",
                          percentile_ms(ours.latencies_ns, 0.5) / percentile_ms(raw->latencies_ns, 0.5),
                          percentile_ms(ours.latencies_ns, 0.99) / percentile_ms(raw->latencies_ns, 0.99),
                          ours.server_cpu.total() / std::max(raw->server_cpu.total(), 1e-9));
            out.summary(line);
        }
    });
}
