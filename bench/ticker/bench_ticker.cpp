// bench-ticker: subscriber receive rate for 64-byte ticks at the publisher's
// maximum rate, over tcp, ipc and inproc: ticker-pub -> ticker-sub, side by
// side with a raw libzmq PUB -> SUB of the same sizes in the same layout
// (two processes over tcp and ipc, two threads over inproc), measured in the
// same run, alternating, best of --runs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <spawn.h>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"
#include "ticker.hpp"

extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

// 8-byte symbols: frame 1 (8 bytes) + frame 2 (56 bytes) = 64 bytes a tick.
const std::vector<std::string> symbols{"SYM00001", "SYM00002", "SYM00003", "SYM00004",
                                       "SYM00005", "SYM00006", "SYM00007", "SYM00008"};

// The baseline publisher: plain zmq_msg_send of fresh 8- and 56-byte messages.
void raw_publish(void* pub, const std::atomic<bool>& stop)
{
    char quote[ticker::quote_size] = {};
    for (std::uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        zmq_msg_t msg;
        zmq_msg_init_size(&msg, 8);
        std::memcpy(zmq_msg_data(&msg), symbols[n % symbols.size()].data(), 8);
        zmq_msg_send(&msg, pub, ZMQ_SNDMORE);
        std::memcpy(quote, &n, sizeof n);
        zmq_msg_init_size(&msg, sizeof quote);
        std::memcpy(zmq_msg_data(&msg), quote, sizeof quote);
        zmq_msg_send(&msg, pub, 0);
    }
}

// The baseline subscriber: plain zmq_msg_recv; msgs/s from first to last tick.
double raw_receive(void* sub, std::uint64_t count)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    clock_type::time_point first;
    for (std::uint64_t n = 0; n < count; ++n) {
        zmq_msg_recv(&msg, sub, 0);  // symbol
        zmq_msg_recv(&msg, sub, 0);  // quote
        if (n == 0) first = clock_type::now();
    }
    zmq_msg_close(&msg);
    return static_cast<double>(count - 1) / std::chrono::duration<double>(clock_type::now() - first).count();
}

double raw_inproc(std::uint64_t count)
{
    zmq::context_t ctx;
    zmq::socket_t pub(ctx, zmq::socket_type::pub), sub(ctx, zmq::socket_type::sub);
    pub.bind("inproc://raw");
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect("inproc://raw");
    std::atomic<bool> stop{false};
    std::jthread publisher([&] { raw_publish(pub.handle(), stop); });
    const double rate = raw_receive(sub.handle(), count);
    stop = true;
    return rate;
}

double raw_processes(const std::string& endpoint, std::uint64_t count)
{
    const pid_t child = ::fork();
    if (child == 0) {  // the publisher process, until killed (or its parent dies)
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        zmq::context_t ctx;
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        pub.bind(endpoint);
        const std::atomic<bool> never{false};
        raw_publish(pub.handle(), never);
        ::_exit(0);
    }
    zmq::context_t ctx;
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect(endpoint);
    const double rate = raw_receive(sub.handle(), count);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return rate;
}

double ours_inproc(std::uint64_t count)
{
    auto ctx = common::make_context();
    ticker::pub_options pub;
    pub.role = {"pub", true, false};
    pub.bind = {"inproc://ours"};
    pub.symbols = symbols;
    pub.rate = 0;
    pub.seed = 1;
    std::uint64_t seen = 0;
    clock_type::time_point first, last;
    ticker::sub_options sub;
    sub.role = {"sub", true, false};
    sub.connect = {"inproc://ours"};
    sub.count = count;
    sub.on_tick = [&](const ticker::tick&) {  // the clock at the first and last tick only
        if (seen == 0) first = clock_type::now();
        if (++seen == count) last = clock_type::now();
    };
    common::thread_group publisher, subscriber;
    publisher.spawn("pub", [&](std::stop_token s) { ticker::run_pub(ctx, pub, s); });
    subscriber.spawn("sub", [&](std::stop_token s) { ticker::run_sub(ctx, sub, s); });
    subscriber.wait();
    publisher.request_stop();
    publisher.wait();
    return static_cast<double>(count - 1) / std::chrono::duration<double>(last - first).count();
}

pid_t spawn(std::vector<std::string> argv, int out_fd = -1)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0)
        throw std::runtime_error("cannot start " + argv[0]);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

// ticker-pub --rate max and ticker-sub --count N --quiet, as processes; the
// rate is the one ticker-sub prints.
double ours_processes(const std::string& endpoint, std::uint64_t count)
{
    std::vector<std::string> pub_argv{TICKER_PUB, "--bind", endpoint, "--rate", "max", "--quiet", "--seed", "1"};
    for (const auto& s : symbols) pub_argv.insert(pub_argv.end(), {"--symbol", s});
    const pid_t pub = spawn(pub_argv);
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t sub = spawn({TICKER_SUB, "--connect", endpoint, "--count", std::to_string(count), "--quiet"}, fds[1]);
    ::close(fds[1]);
    std::string output;
    char buffer[512];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) output.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    ::waitpid(sub, nullptr, 0);
    ::kill(pub, SIGTERM);
    ::waitpid(pub, nullptr, 0);
    std::smatch m;
    if (!std::regex_search(output, m, std::regex(R"(\((\d+) ticks/s\))")))
        throw std::runtime_error("no rate in ticker-sub's output: " + output);
    return std::stod(m[1]);
}

std::string cpu_model()
{
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("model name")) return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

}  // namespace

int main(int argc, char** argv)
{
    common::program prog("bench-ticker", "Subscriber receive rate of ticker-pub -> ticker-sub against raw libzmq PUB -> SUB.");
    std::uint64_t count = 2'000'000;
    int runs = 3;
    std::vector<std::string> transports{"tcp", "ipc", "inproc"};
    prog.app().add_option("-n,--messages", count, "Ticks received per run")->check(CLI::Range(1000, 100'000'000));
    prog.app().add_option("--runs", runs, "Runs of each; the best counts")->check(CLI::Range(1, 20));
    prog.app().add_option("--transport", transports, "Transports to measure")
        ->check(CLI::IsMember({"tcp", "ipc", "inproc"}))->expected(1, 3)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    return prog.run(argc, argv, [&](zmq::context_t&, std::stop_token stop) {
        char dir[] = "/tmp/bench-ticker-XXXXXX";
        if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
        std::printf("bench-ticker: 64-byte ticks (8-byte symbol + 56-byte quote) at maximum rate,\n"
                    "%lu received per run, best of %d; %u cores, %s\n\n",
                    static_cast<unsigned long>(count), runs, std::thread::hardware_concurrency(), cpu_model().c_str());
        std::printf("%-10s %22s %26s %8s\n", "transport", "raw libzmq (msgs/s)", "ticker-pub->sub (msgs/s)", "ratio");
        bool all_met = true;
        int port = 25556;
        for (const auto& t : transports) {
            double raw = 0, ours = 0;
            for (int r = 0; r < runs && !stop.stop_requested(); ++r) {
                const auto ep = t == "tcp" ? "tcp://127.0.0.1:" + std::to_string(port++)
                                           : std::string("ipc://") + dir + "/feed" + std::to_string(r);
                raw = std::max(raw, t == "inproc" ? raw_inproc(count) : raw_processes(ep, count));
                const auto ep2 = t == "tcp" ? "tcp://127.0.0.1:" + std::to_string(port++) : ep + "b";
                ours = std::max(ours, t == "inproc" ? ours_inproc(count) : ours_processes(ep2, count));
            }
            const double ratio = ours / raw;
            all_met = all_met && ratio >= 0.9;
            std::printf("%-10s %22.0f %26.0f %8.2f\n", t.c_str(), raw, ours, ratio);
        }
        std::printf("\ntarget: ratio >= 0.90 on every transport: %s\n", all_met ? "met" : "NOT met");
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    });
}
