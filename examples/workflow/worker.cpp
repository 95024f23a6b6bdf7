// workflow-worker: PULL connects to the ventilator's tasks (default
// tcp://127.0.0.1:5560), PUSH connects to the sink's results (:5561), SUB
// connects to the ventilator's control (:5563). Says HELLO (again after each
// idle second), values each task it is given and pushes the result; leaves on
// END, saying BYE (which the sink passes on to the ventilator).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"
#include "protocol.hpp"
#include "workflow.hpp"

namespace workflow {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr auto hello_interval = 1s;  // an idle worker says HELLO again this often

void add_options(common::program& prog, worker_options& opts)
{
    prog.add_role_options(opts.role);
    prog.add_endpoints("--tasks", opts.tasks, "workflow-tasks", common::side::connect, "The ventilator's tasks (PULL)");
    prog.add_endpoints("--results", opts.results, "workflow-results", common::side::connect, "The sink's results (PUSH)");
    prog.add_endpoints("--control", opts.control, "workflow-control", common::side::connect, "The ventilator's control, for END (SUB)");
    prog.add_count(opts.count, "tasks, then leave (its queued tasks go to other workers, late)");
    prog.app().add_flag("--stay", opts.stay, "After END, wait for the next batch instead of leaving (a worker pool, e.g. for the desk)");
}

void run_worker(zmq::context_t& ctx, const worker_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    zmq::socket_t tasks(ctx, zmq::socket_type::pull);
    zmq::socket_t results(ctx, zmq::socket_type::push);
    zmq::socket_t control(ctx, zmq::socket_type::sub);
    auto tasks_monitor = common::monitor_if(opts.role.monitor, ctx, tasks, "tasks", out);
    auto results_monitor = common::monitor_if(opts.role.monitor, ctx, results, "results", out);
    control.set(zmq::sockopt::subscribe, end_type);
    for (const auto& ep : opts.control) common::connect(control, ep);
    for (const auto& ep : opts.tasks) common::connect(tasks, ep);
    for (const auto& ep : opts.results) common::connect(results, ep);

    // HELLO goes with the results: the sink passes it on to the ventilator.
    const hello me{(std::random_device{}() * 0x100000000ULL + std::random_device{}()) | 1, opts.role.name};  // never sink_id (0)
    auto say_hello = [&] {
        auto msg = encode(me);
        common::send(results, msg, stop, 0ms);  // never wait for it: it is said again when idle
    };
    auto say_bye = [&](std::uint64_t batch) {
        auto msg = encode(bye{batch, me.worker});
        common::send(results, msg, stop, 0ms);  // never wait: a lost BYE costs the ventilator 3 s, no more
    };
    say_hello();
    out.info("ready: tasks from ", opts.tasks.front(), ", results to ", opts.results.front());

    const auto start = clock::now();
    std::uint64_t valued = 0;
    std::string why = "stopped";
    bool heard_end = false;
    std::uint64_t finished = 0;  // with --stay: the last batch that ended; its tasks are stale
    auto stale = [&](const std::vector<zmq::message_t>& m) {
        const auto t = decode_task(m);
        return t && t->batch <= finished;
    };
    std::vector<zmq::message_t> msg;
    zmq::pollitem_t items[] = {{control.handle(), 0, ZMQ_POLLIN, 0}, {tasks.handle(), 0, ZMQ_POLLIN, 0}};
    auto look_for_end = clock::now();
    while (!stop.stop_requested()) {
        if (opts.count > 0 && valued == opts.count) { why = "--count reached"; break; }
        // END first, since queued tasks are stale once the batch is complete.
        // Looking at an empty socket costs a system call: every 10 ms is enough.
        if (clock::now() >= look_for_end) {
            look_for_end = clock::now() + end_check_interval;
            if (common::recv(control, msg, stop, 0ms)) {
                const auto end = decode_end(msg);
                if (!end) {
                    out.warn("dropped a malformed END: ", end.error());
                    continue;
                }
                if (!opts.stay) {
                    say_bye(end->batch);
                    heard_end = true;
                    why = "the batch is complete";
                    break;
                }
                if (end->waiting > 0) say_bye(end->batch);  // END comes again until the ventilator has it
                if (end->batch > finished) out.info("batch complete: waiting for the next one");
                finished = std::max(finished, end->batch);
                continue;
            }
        }
        // Wait only when no task is queued.
        if (!common::recv(tasks, msg, stop, 0ms)) {
            if (!common::poll(items, stop, hello_interval) && !stop.stop_requested())
                say_hello();  // idle for a while: a ventilator started later learns about us
            look_for_end = {};
            continue;
        }
        if (opts.stay && stale(msg)) continue;  // queued before its batch ended
        // slide: workflow-worker-task
        const auto t = decode_task(msg);
        if (!t) {
            out.warn("dropped a malformed task: ", t.error());
            continue;
        }
        const valuation v = value(*t);  // the work: CPU-bound, no messaging
        auto reply = encode(result{t->batch, t->id, t->count, me.worker, v});
        // PUSH's mute state blocks: with the sink gone or behind, this waits.
        if (!common::send(results, reply, stop)) break;
        ++valued;
        // end slide
        if (opts.on_task) opts.on_task(*t);
    }
    if (!heard_end) say_bye(0);  // leaving by itself: the ventilator need not wait for it
    results.set(zmq::sockopt::linger, static_cast<int>(bye_linger / 1ms));
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.2f s", std::chrono::duration<double>(clock::now() - start).count());
    out.summary("leaving (", why, "): valued ", valued, valued == 1 ? " task" : " tasks", " in ", elapsed);
}

}  // namespace workflow
