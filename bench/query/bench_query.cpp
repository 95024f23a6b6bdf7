// bench-query: queries per second and latency (p50, p99) for "LAST AAPL"
// against a query-server, next to a raw libzmq REQ/REP echo measured in the
// same run with the same clients: 1 and 8 REQ clients, over ipc and tcp.
// Server and clients are threads of this process, each side with a context
// (and I/O thread) of its own, as two processes would have. Each figure is
// the best of --runs; the two sides alternate.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>
#include <zmq_addon.hpp>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "query.hpp"
#include "tick.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::string_view question = "LAST AAPL";

struct figures {
    double rate = 0;  // queries per second, all clients together
    double p50_us = 0, p99_us = 0;
};

// Clients: raw libzmq REQ sockets, each asking as fast as its replies come.
figures run_clients(const std::string& endpoint, int clients, std::chrono::duration<double> measure)
{
    void* ctx = zmq_ctx_new();
    std::vector<std::vector<float>> latencies(static_cast<std::size_t>(clients));
    std::vector<std::uint64_t> done(static_cast<std::size_t>(clients));
    std::atomic<bool> failed{false};
    const auto start = clock_type::now() + 50ms;  // all connected by then
    const auto end = start + std::chrono::duration_cast<clock_type::duration>(measure);
    {
        std::vector<std::jthread> threads;
        for (int c = 0; c < clients; ++c)
            threads.emplace_back([&, c] {
                void* req = zmq_socket(ctx, ZMQ_REQ);
                int linger = 0, timeout = 2000;
                zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
                zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
                zmq_connect(req, endpoint.c_str());
                auto& lat = latencies[static_cast<std::size_t>(c)];
                lat.reserve(400000);
                zmq_msg_t reply;
                zmq_msg_init(&reply);
                std::this_thread::sleep_until(start);
                for (auto now = clock_type::now(); now < end; ) {
                    if (zmq_send(req, question.data(), question.size(), 0) < 0) { failed = true; break; }
                    bool more = true, ok = true;
                    while (more && ok) {
                        ok = zmq_msg_recv(&reply, req, 0) >= 0;
                        more = zmq_msg_more(&reply) != 0;
                    }
                    if (!ok) { failed = true; break; }
                    const auto after = clock_type::now();
                    lat.push_back(std::chrono::duration<float, std::micro>(after - now).count());
                    now = after;
                }
                done[static_cast<std::size_t>(c)] = lat.size();
                zmq_msg_close(&reply);
                zmq_close(req);
            });
    }
    zmq_ctx_term(ctx);
    if (failed) throw std::runtime_error("a client got no reply within 2 s");
    std::vector<float> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    figures f;
    f.rate = static_cast<double>(all.size()) / measure.count();
    if (!all.empty()) {
        f.p50_us = all[all.size() / 2];
        f.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    }
    return f;
}

// The baseline: a REP socket echoing each request, raw libzmq calls.
figures run_echo(const std::string& bind_to, int clients, std::chrono::duration<double> measure)
{
    void* ctx = zmq_ctx_new();
    void* rep = zmq_socket(ctx, ZMQ_REP);
    int timeout = 100;
    zmq_setsockopt(rep, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_bind(rep, bind_to.c_str());
    char endpoint[256];
    std::size_t size = sizeof endpoint;
    zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &size);
    std::atomic<bool> stop{false};
    std::jthread server([&] {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        while (!stop) {
            if (zmq_msg_recv(&msg, rep, 0) < 0) continue;
            zmq_msg_send(&msg, rep, 0);
        }
        zmq_msg_close(&msg);
    });
    const auto f = run_clients(endpoint, clients, measure);
    stop = true;
    server.join();
    zmq_close(rep);
    zmq_ctx_term(ctx);
    return f;
}

// query-server, fed AAPL ticks over inproc until it answers LAST AAPL.
figures run_query(const std::string& bind_to, int clients, std::chrono::duration<double> measure)
{
    static int run = 0;
    auto ctx = common::make_context();
    zmq::socket_t feed(ctx, zmq::socket_type::pub);
    const std::string feed_at = "inproc://bench-feed-" + std::to_string(run++);
    feed.bind(feed_at);
    query::server_options opts;
    opts.role = {"server", true, false};
    opts.feed = {feed_at};
    opts.bind = {bind_to};
    opts.publish = {"inproc://bench-updates-" + std::to_string(run)};
    std::stop_source stop;
    std::jthread server([&] { query::run_server(ctx, opts, stop.get_token()); });

    // The caller picked the endpoint (a free tcp port, or an ipc path), so
    // the clients know it without asking the server.
    ticker::tick t{"AAPL", 0, 0, 189.5, 189.5, 189.49, 189.51, 100};
    query::client probe(ctx, {bind_to}, 200ms, 50);
    for (int i = 0; i < 200; ++i) {
        ++t.seq;
        zmq::send_multipart(feed, ticker::encode(t));
        const auto r = probe.ask(question);
        if (r && r->ok) break;
    }
    const auto f = run_clients(bind_to, clients, measure);
    stop.request_stop();
    server.join();
    return f;
}

std::string free_tcp_endpoint()
{
    zmq::context_t ctx;
    zmq::socket_t probe(ctx, zmq::socket_type::pair);
    probe.bind("tcp://127.0.0.1:*");
    return probe.get(zmq::sockopt::last_endpoint);
}

std::string cpu_model()
{
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("model name")) return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

double load_average()
{
    double load = 0;
    std::ifstream("/proc/loadavg") >> load;
    return load;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app("Queries/s and latency of query-server's LAST next to a raw REQ/REP echo (Example 4).", "bench-query");
    int runs = 3;
    double seconds = 1.5;
    std::vector<int> client_counts{1, 8};
    std::vector<std::string> transports{"ipc", "tcp"};
    app.add_option("--runs", runs, "Runs per figure; the best is kept")->check(CLI::Range(1, 100));
    app.add_option("--seconds", seconds, "Length of one run")->check(CLI::Range(0.1, 600.0));
    app.add_option("--clients", client_counts, "Concurrent clients (repeatable)")->check(CLI::Range(1, 256));
    app.add_option("--transport", transports, "ipc, tcp (repeatable)")->check(CLI::IsMember({"ipc", "tcp"}));
    CLI11_PARSE(app, argc, argv);

    const auto ipc_dir = "/tmp/bench-query-" + std::to_string(::getpid());
    std::printf("bench-query: \"%.*s\" from REQ clients, best of %d runs of %.1f s; %u cores, %s; load average %.2f\n\n",
                static_cast<int>(question.size()), question.data(), runs, seconds, std::thread::hardware_concurrency(),
                cpu_model().c_str(), load_average());
    std::printf("%-9s %7s   %28s   %28s   %5s\n", "transport", "clients", "raw REQ/REP echo", "query-server LAST", "ratio");
    std::printf("%-9s %7s   %10s %8s %8s   %10s %8s %8s   %5s\n", "", "", "queries/s", "p50 us", "p99 us", "queries/s", "p50 us", "p99 us", "");
    double worst = 1e9;
    int n = 0;
    try {
        for (const auto& transport : transports)
            for (const int clients : client_counts) {
                figures echo, query;
                for (int r = 0; r < runs; ++r) {
                    auto endpoint = [&] {
                        return transport == "tcp" ? free_tcp_endpoint()
                                                  : "ipc://" + ipc_dir + "/" + std::to_string(n++);
                    };
                    if (transport == "ipc") std::filesystem::create_directories(ipc_dir);
                    const auto e = run_echo(endpoint(), clients, std::chrono::duration<double>(seconds));
                    const auto q = run_query(endpoint(), clients, std::chrono::duration<double>(seconds));
                    if (e.rate > echo.rate) echo = e;
                    if (q.rate > query.rate) query = q;
                }
                const double ratio = query.rate / echo.rate;
                worst = std::min(worst, ratio);
                std::printf("%-9s %7d   %10.0f %8.1f %8.1f   %10.0f %8.1f %8.1f   %5.2f\n", transport.c_str(), clients,
                            echo.rate, echo.p50_us, echo.p99_us, query.rate, query.p50_us, query.p99_us, ratio);
                std::fflush(stdout);
            }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench-query: %s\n", e.what());
        std::filesystem::remove_all(ipc_dir);
        return 1;
    }
    std::filesystem::remove_all(ipc_dir);
    std::printf("\ntarget: throughput ratio >= 0.70 in every row: %s (worst %.2f)\n", worst >= 0.7 ? "met" : "NOT met", worst);
    return 0;
}
