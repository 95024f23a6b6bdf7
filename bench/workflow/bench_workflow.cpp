// bench-workflow: Example 2's figures.
//  (a) speedup: wall time of a CPU-bound batch with 1 worker, then 2 (threads, inproc),
//      and the machine's own ceiling: the same tasks on plain threads, no messaging.
//  (b) dispatch: tasks/s through ventilator -> worker -> sink for trivial tasks,
//      over ipc and tcp, next to a raw PUSH/PULL pipeline of the same layout
//      measured in the same run. Each role is a thread with a context of its own,
//      as if it were a process. Both pipelines move the same messages and do the
//      same work per task (decode, value, encode); the raw one has no HELLO, no
//      window, no DONE, no retries, no END: the ratio is what those cost.
// Figures are the best of --runs runs: the machine is shared, noise only slows.
#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <thread>
#include <unistd.h>
#include <zmq_addon.hpp>

#include "common/threads.hpp"
#include "portfolio.hpp"
#include "protocol.hpp"
#include "workflow.hpp"

namespace {

using clock = std::chrono::steady_clock;

struct settings {
    int runs = 3;
    std::uint32_t cpu_batch = 100;
    std::uint32_t cpu_paths = 1'000'000;
    std::uint32_t trivial_tasks = 200'000;
    std::uint32_t trivial_paths = 2;
};

struct endpoints {
    std::string tasks, results, feedback, control;
};

struct outcome {
    double seconds = 0;  // wall time (speedup) or first to last result at the sink (dispatch)
    std::int64_t value = 0;
};

// The roles print their summaries on stdout: keep it for the figures.
class quiet_stdout {
public:
    quiet_stdout() : saved_(::dup(STDOUT_FILENO))
    {
        std::cout.flush();
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDOUT_FILENO);
        ::close(null);
    }
    ~quiet_stdout()
    {
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
    }

private:
    int saved_;
};

std::string free_tcp_endpoint()
{
    zmq::context_t ctx;
    zmq::socket_t probe(ctx, zmq::socket_type::pull);
    probe.bind("tcp://127.0.0.1:*");
    return probe.get(zmq::sockopt::last_endpoint);
}

endpoints fresh_endpoints(const std::string& transport, const std::filesystem::path& dir)
{
    if (transport == "tcp") return {free_tcp_endpoint(), free_tcp_endpoint(), free_tcp_endpoint(), free_tcp_endpoint()};
    if (transport == "ipc") {
        static int n = 0;
        const auto at = [&](const char* name) { return "ipc://" + (dir / (name + std::to_string(n))).string(); };
        ++n;
        return {at("tasks"), at("results"), at("feedback"), at("control")};
    }
    static int n = 0;
    ++n;
    return {"inproc://t" + std::to_string(n), "inproc://r" + std::to_string(n), "inproc://f" + std::to_string(n),
            "inproc://c" + std::to_string(n)};
}

// The example's own roles. One shared context for inproc, else one per role.
outcome run_workflow(const endpoints& ep, unsigned workers, std::uint32_t batch, std::uint32_t paths, bool shared_context)
{
    std::vector<zmq::context_t> contexts;
    for (unsigned i = 0; i < (shared_context ? 1 : workers + 2); ++i) contexts.push_back(common::make_context());
    auto ctx = [&](unsigned i) -> zmq::context_t& { return contexts[shared_context ? 0 : i]; };

    workflow::batch_report report;
    const workflow::ventilator_options vent{{"ventilator", true, false}, {ep.tasks}, {ep.feedback}, {ep.control},
                                            batch, paths, 1, workers, 10, 2};
    const workflow::sink_options sink{{"sink", true, false}, {ep.results}, {ep.feedback}, {ep.control},
                                      [&](const workflow::batch_report& r) { report = r; }};
    std::vector<workflow::worker_options> crew;
    for (unsigned i = 0; i < workers; ++i)
        crew.push_back({{"worker-" + std::to_string(i), true, false}, {ep.tasks}, {ep.results}, {ep.control}, 0, {}});

    const auto start = clock::now();
    {
        quiet_stdout quiet;
        common::thread_group roles;
        roles.spawn("ventilator", [&](std::stop_token s) { workflow::run_ventilator(ctx(0), vent, s); });
        roles.spawn("sink", [&](std::stop_token s) { workflow::run_sink(ctx(1), sink, s); });
        for (unsigned i = 0; i < workers; ++i)
            roles.spawn(crew[i].role.name, [&, i](std::stop_token s) { workflow::run_worker(ctx(2 + i), crew[i], s); });
        roles.wait();
    }
    const std::chrono::duration<double> wall = clock::now() - start;
    return {shared_context ? wall.count() : report.seconds, report.value};
}

// This machine's ceiling for (a): the same tasks on plain threads, no messaging.
outcome run_plain_threads(unsigned threads, std::uint32_t batch, std::uint32_t paths)
{
    std::vector<std::int64_t> sums(threads);
    const auto start = clock::now();
    {
        std::vector<std::jthread> crew;
        for (unsigned k = 0; k < threads; ++k)
            crew.emplace_back([&, k] {
                for (std::uint32_t id = k; id < batch; id += threads) sums[k] += workflow::value(workflow::make_task(1, id, batch, paths)).value;
            });
    }
    std::int64_t total = 0;
    for (auto v : sums) total += v;
    return {std::chrono::duration<double>(clock::now() - start).count(), total};
}

// The baseline: the same layout and messages with plain blocking libzmq calls.
outcome run_raw(const endpoints& ep, std::uint32_t tasks, std::uint32_t paths)
{
    zmq::context_t vent_ctx, worker_ctx, sink_ctx;
    outcome result;
    // Even here nobody may close a socket before its peer has read everything:
    // over ipc, libzmq 4.3.4 can drop the last messages otherwise (#4660).
    std::latch all_in(1);
    std::jthread sink([&] {
        zmq::socket_t pull(sink_ctx, zmq::socket_type::pull);
        pull.bind(ep.results);
        std::vector<zmq::message_t> msg;
        clock::time_point first;
        for (std::uint32_t i = 0; i < tasks; ++i) {
            msg.clear();
            (void)zmq::recv_multipart(pull, std::back_inserter(msg));
            if (i == 0) first = clock::now();
            result.value += workflow::decode_result(msg)->v.value;
        }
        result.seconds = std::chrono::duration<double>(clock::now() - first).count();
        all_in.count_down();
    });
    std::jthread worker([&] {
        zmq::socket_t pull(worker_ctx, zmq::socket_type::pull), push(worker_ctx, zmq::socket_type::push);
        pull.connect(ep.tasks);
        push.connect(ep.results);
        std::vector<zmq::message_t> msg;
        for (std::uint32_t i = 0; i < tasks; ++i) {
            msg.clear();
            (void)zmq::recv_multipart(pull, std::back_inserter(msg));
            const auto t = workflow::decode_task(msg);
            zmq::send_multipart(push, workflow::encode(workflow::result{t->batch, t->id, t->count, 1, workflow::value(*t)}));
        }
        all_in.wait();
    });
    zmq::socket_t push(vent_ctx, zmq::socket_type::push);
    push.bind(ep.tasks);
    for (std::uint32_t id = 0; id < tasks; ++id) {
        auto t = workflow::make_task(1, id, tasks, paths);
        t.batch = 1;
        zmq::send_multipart(push, workflow::encode(t));  // blocks until a worker is connected, and when it is full
    }
    worker.join();
    sink.join();
    return result;
}

template <class F> outcome best_of(int runs, F run)
{
    outcome best{1e300, 0};
    for (int i = 0; i < runs; ++i) {
        const auto o = run();
        if (o.seconds < best.seconds) best = o;
    }
    return best;
}

std::string cpu_model()
{
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("model name")) return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

void print_row(const std::string& name, double ours, double raw)
{
    char line[128];
    std::snprintf(line, sizeof line, "  %-6s %12.0f tasks/s %12.0f tasks/s %8.2f", name.c_str(), ours, raw, ours / raw);
    std::cout << line << "\n";
}

}  // namespace

int main(int argc, char** argv)
{
    settings s;
    common::program prog("bench-workflow", "Example 2's benchmark: speedup with workers, and dispatch overhead against raw PUSH/PULL.");
    auto& app = prog.app();
    app.add_option("--runs", s.runs, "Runs of each measurement; the best counts")->check(CLI::Range(1, 100));
    app.add_option("--cpu-batch", s.cpu_batch, "Tasks in the CPU-bound batch")->check(CLI::Range(1U, workflow::max_tasks));
    app.add_option("--cpu-paths", s.cpu_paths, "Paths per task in the CPU-bound batch")->check(CLI::Range(1U, workflow::max_paths));
    app.add_option("--trivial-tasks", s.trivial_tasks, "Tasks in the dispatch batch")->check(CLI::Range(1U, workflow::max_tasks));
    return prog.run(argc, argv, [&](zmq::context_t&, std::stop_token) {
        const auto dir = std::filesystem::temp_directory_path() / ("bench-workflow-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        std::cout << "bench-workflow: nproc " << std::thread::hardware_concurrency() << ", " << cpu_model() << ", best of "
                  << s.runs << " runs\n\n";

        std::cout << "(a) speedup: " << s.cpu_batch << " tasks x " << s.cpu_paths << " paths, threads over inproc\n";
        const auto one = best_of(s.runs, [&] { return run_workflow(fresh_endpoints("inproc", dir), 1, s.cpu_batch, s.cpu_paths, true); });
        const auto two = best_of(s.runs, [&] { return run_workflow(fresh_endpoints("inproc", dir), 2, s.cpu_batch, s.cpu_paths, true); });
        const auto plain_one = best_of(s.runs, [&] { return run_plain_threads(1, s.cpu_batch, s.cpu_paths); });
        const auto plain_two = best_of(s.runs, [&] { return run_plain_threads(2, s.cpu_batch, s.cpu_paths); });
        char line[256];
        std::snprintf(line, sizeof line, "  1 worker   %.3f s\n  2 workers  %.3f s\n  speedup    %.2fx (target >= 1.8x)%s\n",
                      one.seconds, two.seconds, one.seconds / two.seconds,
                      one.value == two.value && one.value == plain_one.value ? "" : "  RESULTS DIFFER");
        std::cout << line;
        std::snprintf(line, sizeof line, "  ceiling    %.2fx: the same tasks on 1 and 2 plain threads, no messaging (%.3f s, %.3f s)\n\n",
                      plain_one.seconds / plain_two.seconds, plain_one.seconds, plain_two.seconds);
        std::cout << line;

        std::cout << "(b) dispatch: " << s.trivial_tasks << " trivial tasks (" << s.trivial_paths
                  << " paths each), ventilator -> 1 worker -> sink, a thread and context per role\n"
                  << "  transport     workflow        raw PUSH/PULL    ratio (target >= 0.8)\n";
        for (const std::string transport : {"ipc", "tcp"}) {
            const auto ours = best_of(s.runs, [&] { return run_workflow(fresh_endpoints(transport, dir), 1, s.trivial_tasks, s.trivial_paths, false); });
            const auto raw = best_of(s.runs, [&] { return run_raw(fresh_endpoints(transport, dir), s.trivial_tasks, s.trivial_paths); });
            print_row(transport, s.trivial_tasks / ours.seconds, s.trivial_tasks / raw.seconds);
            if (ours.value != raw.value) std::cout << "  RESULTS DIFFER: " << ours.value << " vs " << raw.value << "\n";
        }
        std::filesystem::remove_all(dir);
    });
}
