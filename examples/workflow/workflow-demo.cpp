// workflow-demo: the whole pipeline in one process. A ventilator, a sink and
// N workers, each a thread owning its sockets, all sharing one context: over
// inproc by default, or tcp/ipc with the very same code. Ends by itself when
// the batch is done.
#include <thread>

#include "common/threads.hpp"
#include "workflow.hpp"

int main(int argc, char** argv)
{
    common::program prog("workflow-demo", "Runs the workflow's whole topology as threads of one process (Example 2).");
    prog.allow_inproc();
    prog.add_transport(common::transport::inproc);
    common::role_options role;
    workflow::ventilator_options vent;
    unsigned workers = std::max(1U, std::thread::hardware_concurrency());
    prog.add_role_options(role);
    auto& app = prog.app();
    app.add_option("-w,--workers", workers, "Worker threads (default: one per core)")->check(CLI::Range(1U, 256U));
    app.add_option("-n,--batch", vent.batch, "Tasks in the batch")->check(CLI::Range(1U, workflow::max_tasks));
    app.add_option("--paths", vent.paths, "Monte Carlo paths per task")->check(CLI::Range(1U, workflow::max_paths));
    app.add_option("--seed", vent.seed, "Which book of positions: the same seed gives the same result");

    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        const auto t = prog.chosen_transport();
        auto as = [&](std::string name) { return common::role_options{std::move(name), role.quiet, role.monitor}; };
        const auto tasks = common::endpoints_for("workflow-tasks", t);
        const auto results = common::endpoints_for("workflow-results", t);
        const auto feedback = common::endpoints_for("workflow-feedback", t);
        const auto control = common::endpoints_for("workflow-control", t);

        vent.role = as("ventilator");
        vent.tasks = {tasks.bind};
        vent.feedback = {feedback.bind};
        vent.control = {control.bind};
        vent.workers = workers;
        workflow::sink_options sink{as("sink"), {results.bind}, {feedback.connect}, {control.connect}, {}};
        std::vector<workflow::worker_options> crew;
        for (unsigned i = 1; i <= workers; ++i)
            crew.push_back({as("worker-" + std::to_string(i)), {tasks.connect}, {results.connect}, {control.connect}, 0, {}});

        common::thread_group roles(stop);
        roles.spawn("ventilator", [&](std::stop_token s) { workflow::run_ventilator(ctx, vent, s); });
        roles.spawn("sink", [&](std::stop_token s) { workflow::run_sink(ctx, sink, s); });
        for (auto& w : crew) roles.spawn(w.role.name, [&](std::stop_token s) { workflow::run_worker(ctx, w, s); });
        roles.wait();
    });
}
