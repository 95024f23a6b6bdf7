// The workflow's roles as threads of this process, sharing one context, over inproc.
#include "catch.hpp"
#include <mutex>
#include <optional>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"
#include "endpoints.hpp"
#include "expected.hpp"
#include "workflow.hpp"

using namespace std::chrono_literals;
using workflow_test::expected_micros;

namespace {

constexpr std::uint32_t inproc_batch = 40;
constexpr std::uint32_t inproc_paths = 100'000;

// The sink's report, handed over from its thread.
struct outcome {
    std::mutex mutex;
    std::optional<workflow::batch_report> report;
    void set(const workflow::batch_report& r)
    {
        std::scoped_lock lock(mutex);
        report = r;
    }
    std::optional<workflow::batch_report> get()
    {
        std::scoped_lock lock(mutex);
        return report;
    }
};

struct topology {
    zmq::context_t ctx = common::make_context();
    workflow::ventilator_options vent;
    workflow::sink_options sink;
    outcome result;

    topology(unsigned expected, std::uint32_t batch, std::uint32_t paths)
    {
        const auto tasks = support::fresh_endpoint("inproc", {}, "tasks");
        const auto feedback = support::fresh_endpoint("inproc", {}, "feedback");
        const auto control = support::fresh_endpoint("inproc", {}, "control");
        const auto results = support::fresh_endpoint("inproc", {}, "results");
        vent = {{"ventilator", true, false}, {tasks}, {feedback}, {control}, batch, paths, 1, expected, 5, 0.3};
        sink = {{"sink", true, false}, {results}, {feedback}, {control}, [this](const auto& r) { result.set(r); }};
    }
    workflow::worker_options worker(std::string name) const
    {
        return {{std::move(name), true, false}, vent.tasks, sink.results, vent.control, 0, {}};
    }
};

}  // namespace

TEST_CASE("inproc: 1 2 and 4 worker threads give the single-worker result", "[inproc]")
{
    const auto expected = expected_micros(inproc_batch, inproc_paths);
    for (unsigned n : {1U, 2U, 4U}) {
        INFO(n << " workers");
        topology t(n, inproc_batch, inproc_paths);
        std::vector<workflow::worker_options> crew;
        for (unsigned i = 0; i < n; ++i) crew.push_back(t.worker("worker-" + std::to_string(i)));
        common::thread_group roles;
        roles.spawn("ventilator", [&](std::stop_token s) { workflow::run_ventilator(t.ctx, t.vent, s); });
        roles.spawn("sink", [&](std::stop_token s) { workflow::run_sink(t.ctx, t.sink, s); });
        for (auto& w : crew) roles.spawn(w.role.name, [&](std::stop_token s) { workflow::run_worker(t.ctx, w, s); });
        roles.wait();  // every role ends by itself

        const auto r = t.result.get();
        REQUIRE(r);
        CHECK(r->value == expected);
        CHECK(r->tasks == inproc_batch);
        std::uint64_t counted = 0;
        for (const auto& [name, tasks] : r->by_worker) counted += tasks;
        CHECK(counted == inproc_batch);
        CHECK(r->by_worker.size() == n);
    }
}

TEST_CASE("inproc: a worker thread stopped mid-batch loses its queued tasks and the batch still completes", "[inproc]")
{
    constexpr std::uint32_t batch = 60, paths = 500'000;
    topology t(2, batch, paths);
    common::thread_group roles, doomed;
    const auto survivor = t.worker("survivor");
    auto victim = t.worker("victim");
    // Stopped right after its first result: the tasks queued for it are lost.
    victim.on_task = [&](const workflow::task&) { doomed.request_stop(); };
    roles.spawn("ventilator", [&](std::stop_token s) { workflow::run_ventilator(t.ctx, t.vent, s); });
    roles.spawn("sink", [&](std::stop_token s) { workflow::run_sink(t.ctx, t.sink, s); });
    roles.spawn("survivor", [&](std::stop_token s) { workflow::run_worker(t.ctx, survivor, s); });
    doomed.spawn("victim", [&](std::stop_token s) { workflow::run_worker(t.ctx, victim, s); });
    doomed.wait();
    roles.wait();

    auto r = t.result.get();
    REQUIRE(r);
    CHECK(r->value == expected_micros(batch, paths));
    // Its one result may be lost with it (linger 0): then it is valued again too.
    CHECK(r->by_worker["victim"] <= 1);
    CHECK(r->by_worker["victim"] + r->by_worker["survivor"] == batch);
}
