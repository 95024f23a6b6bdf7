// The workflow's programs as separate processes, over tcp and ipc; and the
// test itself playing one role, to feed the others malformed messages.
#include "catch.hpp"
#include <csignal>
#include <cstring>
#include <set>
#include <zmq_addon.hpp>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "cli.hpp"
#include "endpoints.hpp"
#include "expected.hpp"
#include "portfolio.hpp"
#include "process.hpp"
#include "protocol.hpp"
#include "ready.hpp"

using namespace std::chrono_literals;
using support::process;
using support::ready;
using workflow_test::expected_value;

namespace {

// Small enough to be quick, big enough to take a few hundred milliseconds.
constexpr std::uint32_t test_batch = 40;
constexpr std::uint32_t test_paths = 100'000;

// Waits for a line; returns it.
std::string saw(process& p, std::string_view text)
{
    const auto line = p.wait_for(text);
    INFO(p.output());
    REQUIRE(line);
    return *line;
}

// A ventilator, a sink and workers, on fresh endpoints of one transport.
struct pipeline {
    support::private_dir dir;
    std::unique_ptr<process> ventilator, sink;
    std::vector<std::unique_ptr<process>> workers;
    std::string tasks, feedback, control, results;

    pipeline(const std::string& transport, unsigned expected, std::uint32_t batch, std::uint32_t paths,
             std::vector<std::string> extra = {})
    {
        std::vector<std::string> argv{WORKFLOW_VENTILATOR, "--tasks", support::fresh_endpoint(transport, dir, "tasks"),
                                      "--feedback", support::fresh_endpoint(transport, dir, "feedback"),
                                      "--control", support::fresh_endpoint(transport, dir, "control"),
                                      "--workers", std::to_string(expected), "--batch", std::to_string(batch),
                                      "--paths", std::to_string(paths), "--name", "ventilator"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ventilator = std::make_unique<process>(argv);
        tasks = ready(*ventilator, "tasks on");
        feedback = ready(*ventilator, "feedback on");
        control = ready(*ventilator, "control on");
        sink = std::make_unique<process>(std::vector<std::string>{
            WORKFLOW_SINK, "--results", support::fresh_endpoint(transport, dir, "results"), "--feedback", feedback,
            "--control", control, "--name", "sink"});
        results = ready(*sink, "results on");
    }
    process& add_worker(const std::string& name, std::vector<std::string> extra = {})
    {
        std::vector<std::string> argv{WORKFLOW_WORKER, "--tasks", tasks, "--results", results, "--control", control, "--name", name};
        argv.insert(argv.end(), extra.begin(), extra.end());
        workers.push_back(std::make_unique<process>(argv));
        return *workers.back();
    }
    // Every role exits 0 by itself; returns the sink's value.
    std::string finish()
    {
        for (auto* p : {ventilator.get(), sink.get()}) {
            INFO(p->output());
            REQUIRE(p->wait_exit(60s) == 0);
        }
        for (auto& w : workers) {
            INFO(w->output());
            CHECK(w->wait_exit(10s) == 0);
        }
        const auto line = sink->wait_for("portfolio value ", 0ms);
        INFO(sink->output());
        REQUIRE(line);
        return support::word_after(*line, "portfolio value ");
    }
};

void check_workers(const std::string& transport, unsigned n)
{
    pipeline p(transport, n, test_batch, test_paths);
    for (unsigned i = 1; i <= n; ++i) p.add_worker("worker-" + std::to_string(i));
    CHECK(p.finish() == expected_value(test_batch, test_paths));
    CHECK(p.ventilator->wait_for("all " + std::to_string(n), 0ms));
    for (auto& w : p.workers) CHECK(w->wait_for("leaving (the batch is complete)", 0ms));
}

// SIGKILL a worker while it holds tasks: they come back late and go to the other.
void check_killed_worker(const std::string& transport)
{
    constexpr std::uint32_t batch = 100, paths = 500'000;
    pipeline p(transport, 1, batch, paths, {"--retry-after", "0.3"});
    // The victim starts the batch alone, so it surely holds tasks from then on;
    // round-robin keeps giving it every other task once the survivor is in.
    auto& victim = p.add_worker("victim");
    saw(*p.sink, "first result in");
    p.add_worker("survivor");
    saw(*p.ventilator, "survivor joined mid-batch");
    victim.signal(SIGKILL);
    REQUIRE(victim.wait_exit(5s) == 128 + SIGKILL);
    p.workers.erase(p.workers.begin());
    CHECK(p.finish() == expected_value(batch, paths));
    CHECK(p.ventilator->wait_for("sending again", 0ms));
    CHECK(p.workers.front()->wait_for("leaving (the batch is complete)", 0ms));
}

}  // namespace

TEST_CASE("tcp: 1 2 and 4 workers give the single-worker result", "[tcp]")
{
    for (unsigned n : {1U, 2U, 4U}) {
        INFO(n << " workers");
        check_workers("tcp", n);
    }
}

TEST_CASE("ipc: 1 2 and 4 workers give the single-worker result", "[ipc]")
{
    for (unsigned n : {1U, 2U, 4U}) {
        INFO(n << " workers");
        check_workers("ipc", n);
    }
}

TEST_CASE("tcp: with a worker killed mid-batch the batch still completes with the same result", "[tcp]") { check_killed_worker("tcp"); }
TEST_CASE("ipc: with a worker killed mid-batch the batch still completes with the same result", "[ipc]") { check_killed_worker("ipc"); }

TEST_CASE("tcp: a worker that joins late takes part and one that leaves early loses nothing", "[tcp]")
{
    constexpr std::uint32_t batch = 100, paths = 500'000;
    pipeline p("tcp", 1, batch, paths, {"--retry-after", "0.3"});
    auto& early = p.add_worker("early");
    // Leaves after 5 tasks, whatever it has queued: those come back late.
    auto& leaver = p.add_worker("leaver", {"--count", "5"});
    saw(*p.sink, "first result in");
    auto& late = p.add_worker("late");
    CHECK(p.finish() == expected_value(batch, paths));
    CHECK(early.wait_for("leaving (the batch is complete)", 0ms));
    CHECK(leaver.wait_for("leaving (--count reached): valued 5 tasks", 0ms));
    CHECK(late.wait_for("leaving (the batch is complete)", 0ms));
    CHECK(p.ventilator->wait_for("late joined mid-batch", 0ms));
    CHECK(p.sink->wait_for("late ", 0ms));
}

// The test plays ventilator and sink around a real worker.
TEST_CASE("tcp: a worker reports and drops malformed tasks and goes on", "[tcp]")
{
    auto ctx = common::make_context();
    zmq::socket_t tasks(ctx, zmq::socket_type::push), results(ctx, zmq::socket_type::pull), control(ctx, zmq::socket_type::xpub);
    const auto tasks_ep = common::bind(tasks, support::any_tcp);
    const auto results_ep = common::bind(results, support::any_tcp);
    const auto control_ep = common::bind(control, support::any_tcp);
    process worker({WORKFLOW_WORKER, "--tasks", tasks_ep, "--results", results_ep, "--control", control_ep, "--name", "w"});

    std::vector<zmq::message_t> msg;
    REQUIRE(common::recv(control, msg, {}, 10s));  // its subscription to END
    REQUIRE(common::recv(results, msg, {}, 10s));  // its HELLO
    REQUIRE(workflow::decode_hello(msg));
    CHECK(workflow::decode_hello(msg)->name == "w");
    const auto worker_id = workflow::decode_hello(msg)->worker;

    auto send = [&](std::vector<std::string> parts) {
        std::vector<zmq::message_t> m;
        for (auto& f : parts) m.emplace_back(f.data(), f.size());
        REQUIRE(common::send(tasks, m, {}, 10s));
    };
    auto good = workflow::make_task(1, 2, 3, 1000);
    good.batch = 9;
    const auto body = workflow::encode(good)[1].to_string();
    auto patched = [&](std::size_t at, std::uint32_t v) { auto b = body; std::memcpy(b.data() + at, &v, 4); return b; };
    send({"TASK"});
    send({"TASK", body, "extra"});
    send({"JOB", body});
    send({"TASK", body.substr(0, 70)});
    send({"TASK", patched(8, 3)});   // id not below count
    send({"TASK", patched(24, 0)});  // no paths
    send({"TASK", body});
    REQUIRE(common::recv(results, msg, {}, 10s));
    const auto r = workflow::decode_result(msg);
    REQUIRE(r);
    CHECK((r->batch == 9 && r->id == 2 && r->count == 3));
    CHECK(r->v.value == workflow::value(good).value);

    std::vector<zmq::message_t> bad_end;
    bad_end.emplace_back("END", 3);
    bad_end.emplace_back("x", 1);
    zmq::send_multipart(control, bad_end);
    auto end = workflow::encode(workflow::end{9, 1});
    zmq::send_multipart(control, end);
    INFO(worker.output());
    REQUIRE(worker.wait_exit(10s) == 0);
    // Its BYE, for the sink to pass on (after any HELLO said again while idle).
    do REQUIRE(common::recv(results, msg, {}, 10s));
    while (workflow::type_of(msg) == workflow::hello_type);
    const auto bye = workflow::decode_bye(msg);
    REQUIRE(bye);
    CHECK((bye->batch == 9 && bye->peer == worker_id));
    CHECK(worker.lines_with("dropped a malformed task").size() == 6);
    CHECK(worker.wait_for("expected 2 frames, got 1", 0ms));
    CHECK(worker.wait_for("expected 2 frames, got 3", 0ms));
    CHECK(worker.wait_for("type frame is 'JOB', expected TASK", 0ms));
    CHECK(worker.wait_for("task frame must be 76 bytes, got 70", 0ms));
    CHECK(worker.wait_for("task id 3 is not below the task count 3", 0ms));
    CHECK(worker.wait_for("paths 0", 0ms));
    CHECK(worker.wait_for("dropped a malformed END: end frame must be 12 bytes, got 1", 0ms));
    CHECK(worker.wait_for("valued 1 task", 0ms));
}

// The test plays ventilator and workers around a real sink.
TEST_CASE("tcp: a sink drops malformed results and ignores unknown and duplicate ones", "[tcp]")
{
    auto ctx = common::make_context();
    zmq::socket_t feedback(ctx, zmq::socket_type::pull), control(ctx, zmq::socket_type::xpub);
    const auto feedback_ep = common::bind(feedback, support::any_tcp);
    const auto control_ep = common::bind(control, support::any_tcp);
    process sink({WORKFLOW_SINK, "--results", support::any_tcp, "--feedback", feedback_ep, "--control", control_ep});
    const auto results_ep = ready(sink, "results on");
    std::vector<zmq::message_t> msg;
    REQUIRE(common::recv(control, msg, {}, 10s));  // its subscription to END
    zmq::socket_t results(ctx, zmq::socket_type::push);
    results.connect(results_ep);

    auto send = [&](auto&& parts) { REQUIRE(common::send(results, parts, {}, 10s)); };
    auto raw = [&](std::vector<std::string> parts) {
        std::vector<zmq::message_t> m;
        for (auto& f : parts) m.emplace_back(f.data(), f.size());
        send(m);
    };
    auto result = [](std::uint32_t id, std::uint32_t count, std::int64_t value) {
        return workflow::encode(workflow::result{5, id, count, 1, {value, value, 1}});
    };
    send(workflow::encode(workflow::hello{1, "w1"}));
    raw({"RESULT"});
    raw({"RESULT", std::string(40, '\0')});
    raw({"SUM", std::string(48, '\0')});
    raw({"HELLO", "short", "w2"});
    raw({"HELLO", std::string(8, '\0'), "\xFF"});
    send(result(0, 3, 1'000'000));
    send(result(7, 3, 1));          // unknown task id
    send(result(1, 4, 1));          // another batch size
    send(result(0, 3, 1'000'000));  // duplicate
    send(result(1, 3, 2'500'000));
    send(result(2, 3, -500'000));
    REQUIRE(sink.wait_for("portfolio value 3.000000", 10s));

    // Feedback: the HELLO passed on, then DONE for every task id taken, duplicate included.
    std::vector<std::uint32_t> done;
    bool got_hello = false;
    while (done.size() < 4 && common::recv(feedback, msg, {}, 5s)) {
        if (workflow::type_of(msg) == workflow::hello_type) got_hello = workflow::decode_hello(msg)->name == "w1";
        else if (auto d = workflow::decode_done(msg)) done.insert(done.end(), d->ids.begin(), d->ids.end());
    }
    CHECK(got_hello);
    std::sort(done.begin(), done.end());
    CHECK(done == std::vector<std::uint32_t>{0, 0, 1, 2});

    // END waiting for a worker: the sink stays and passes that worker's BYE on;
    // END waiting for none: it says its own BYE and leaves.
    auto end_waiting = workflow::encode(workflow::end{5, 1});
    zmq::send_multipart(control, end_waiting);
    send(workflow::encode(workflow::bye{5, 1}));
    auto next_bye = [&] {
        do REQUIRE(common::recv(feedback, msg, {}, 10s));
        while (workflow::type_of(msg) != workflow::bye_type);
        const auto b = workflow::decode_bye(msg);
        REQUIRE(b);
        CHECK(b->batch == 5);
        return b->peer;
    };
    CHECK(next_bye() == 1);
    CHECK_FALSE(sink.wait_exit(0ms));
    auto end = workflow::encode(workflow::end{5, 0});
    zmq::send_multipart(control, end);
    INFO(sink.output());
    REQUIRE(sink.wait_exit(10s) == 0);
    CHECK(next_bye() == workflow::sink_id);
    CHECK(sink.lines_with("dropped a malformed").size() == 6);
    CHECK(sink.wait_for("dropped a malformed result: expected 2 frames, got 1", 0ms));
    CHECK(sink.wait_for("dropped a malformed result: result frame must be 48 bytes, got 40", 0ms));
    CHECK(sink.wait_for("unknown type 'SUM'", 0ms));
    CHECK(sink.wait_for("dropped a malformed HELLO: worker id frame must be 8 bytes, got 5", 0ms));
    CHECK(sink.wait_for("dropped a malformed HELLO: worker name is not valid UTF-8", 0ms));
    CHECK(sink.wait_for("task count 4 is not this batch's 3", 0ms));
    CHECK(sink.wait_for("ignored a result for unknown task id 7", 0ms));
    CHECK(sink.wait_for("1 duplicates ignored", 0ms));
    CHECK(sink.wait_for("tasks by worker: w1 3", 0ms));
}

// The test plays sink and worker around a real ventilator, decoding by hand
// from the README's frame tables.
TEST_CASE("tcp: a ventilator drops malformed feedback and finishes when every task is DONE", "[tcp]")
{
    process vent({WORKFLOW_VENTILATOR, "--tasks", support::any_tcp, "--feedback", support::any_tcp, "--control", support::any_tcp,
                  "--batch", "3", "--paths", "1000", "--seed", "4"});
    const auto tasks_ep = ready(vent, "tasks on");
    const auto feedback_ep = ready(vent, "feedback on");
    const auto control_ep = ready(vent, "control on");
    auto ctx = common::make_context();
    zmq::socket_t tasks(ctx, zmq::socket_type::pull), feedback(ctx, zmq::socket_type::push), control(ctx, zmq::socket_type::sub);
    control.set(zmq::sockopt::subscribe, "END");
    control.connect(control_ep);
    tasks.connect(tasks_ep);
    feedback.connect(feedback_ep);

    auto raw = [&](std::vector<std::string> parts) {
        std::vector<zmq::message_t> m;
        for (auto& f : parts) m.emplace_back(f.data(), f.size());
        REQUIRE(common::send(feedback, m, {}, 10s));
    };
    auto done_frame = [](std::uint64_t batch, std::vector<std::uint32_t> ids) {
        std::string body(8 + 4 * ids.size(), '\0');
        std::memcpy(body.data(), &batch, 8);
        std::memcpy(body.data() + 8, ids.data(), 4 * ids.size());
        return body;
    };
    raw({"HI"});
    raw({"HELLO", std::string(8, '\1')});
    raw({"DONE", std::string(13, '\0')});
    raw({"HELLO", std::string(8, '\1'), "test-worker"});

    // Tasks, fixed-width little-endian as documented: 0 and 1 first (the
    // window starts at 2 per worker), 2 once a DONE makes room.
    std::vector<zmq::message_t> msg;
    std::uint64_t batch = 0;
    std::set<std::uint32_t> ids;
    auto take_task = [&] {
        REQUIRE(common::recv(tasks, msg, {}, 10s));
        REQUIRE(msg.size() == 2);
        CHECK(msg[0].to_string() == "TASK");
        REQUIRE(msg[1].size() == 76);
        const auto* b = static_cast<const char*>(msg[1].data());
        std::uint32_t id, count, paths;
        std::memcpy(&batch, b, 8);
        std::memcpy(&id, b + 8, 4);
        std::memcpy(&count, b + 12, 4);
        std::memcpy(&paths, b + 24, 4);
        CHECK((count == 3 && paths == 1000));
        const auto t = workflow::make_task(4, id, 3, 1000);
        double spot;
        std::memcpy(&spot, b + 36, 8);
        CHECK(spot == t.spot);
        ids.insert(id);
    };
    take_task();
    take_task();
    CHECK(ids == std::set<std::uint32_t>{0, 1});
    raw({"DONE", done_frame(batch + 1, {0, 1, 2})});  // another batch's: ignored
    raw({"DONE", done_frame(batch, {0, 9})});         // 9: no such task
    take_task();
    CHECK(ids == std::set<std::uint32_t>{0, 1, 2});
    raw({"DONE", done_frame(batch, {1, 2, 2})});
    // END, waiting for the one worker; again until its BYE; then waiting for
    // none, until the sink's BYE.
    auto end_frame = [&] {
        REQUIRE(common::recv(control, msg, {}, 10s));
        const auto e = workflow::decode_end(msg);
        REQUIRE(e);
        CHECK(e->batch == batch);
        return e->waiting;
    };
    CHECK(end_frame() == 1);
    CHECK(end_frame() == 1);  // said again, 100 ms later
    auto bye = [&](std::uint64_t peer) {
        std::string body(16, '\0');
        std::memcpy(body.data(), &batch, 8);
        std::memcpy(body.data() + 8, &peer, 8);
        raw({"BYE", body});
    };
    raw({"BYE", "short"});
    bye(0x0101010101010101);
    while (end_frame() != 0) {}
    bye(0);
    INFO(vent.output());
    REQUIRE(vent.wait_exit(10s) == 0);
    CHECK(vent.wait_for("END answered by 1 of 1 worker and the sink", 0ms));
    CHECK(vent.lines_with("dropped a malformed").size() == 4);
    CHECK(vent.wait_for("dropped a malformed BYE: bye frame must be 16 bytes, got 5", 0ms));
    CHECK(vent.wait_for("unknown type 'HI'", 0ms));
    CHECK(vent.wait_for("dropped a malformed HELLO: expected 3 frames, got 2", 0ms));
    CHECK(vent.wait_for("dropped a malformed DONE: done frame must be 8 + 4*N bytes", 0ms));
    CHECK(vent.wait_for("ignored DONE for unknown task id 9", 0ms));
    CHECK(vent.wait_for("batch complete: 3 tasks", 0ms));
}

TEST_CASE("SIGINT stops every role with status 0 within a second whether idle or busy", "[tcp]")
{
    auto stop_each = [](std::vector<process*> roles) {
        for (auto* p : roles) {
            const auto start = std::chrono::steady_clock::now();
            p->signal(SIGINT);
            INFO(p->output());
            CHECK(p->wait_exit(5s) == 0);
            CHECK(std::chrono::steady_clock::now() - start < 1s);
        }
    };
    SECTION("idle: a ventilator waiting for workers, a worker and a sink waiting for work")
    {
        pipeline p("tcp", 2, 100, 1000);
        auto& w = p.add_worker("worker");
        saw(*p.ventilator, "worker joined");
        stop_each({&w, p.sink.get(), p.ventilator.get()});
    }
    SECTION("busy: mid-batch")
    {
        pipeline p("tcp", 1, 10'000, 2'000'000);
        auto& w = p.add_worker("worker");
        saw(*p.sink, "first result in");
        stop_each({p.ventilator.get(), &w, p.sink.get()});
    }
    SECTION("the demo, mid-batch")
    {
        process demo({WORKFLOW_DEMO, "--batch", "10000", "--workers", "2"});
        saw(demo, "first result in");
        stop_each({&demo});
    }
}

TEST_CASE("bad options give status 2 and say what is wrong", "[cli]")
{
    const std::vector<std::vector<std::string>> cases{
        {WORKFLOW_VENTILATOR, "--no-such-option"},
        {WORKFLOW_VENTILATOR, "--batch", "0"},
        {WORKFLOW_VENTILATOR, "--batch", "lots"},
        {WORKFLOW_VENTILATOR, "--paths", "20000000"},
        {WORKFLOW_VENTILATOR, "--workers", "0"},
        {WORKFLOW_VENTILATOR, "--retry-after", "0"},
        {WORKFLOW_VENTILATOR, "--join-wait", "-1"},
        {WORKFLOW_VENTILATOR, "--transport", "inproc"},
        {WORKFLOW_WORKER, "--count", "-1"},
        {WORKFLOW_WORKER, "--transport", "carrier-pigeon"},
        {WORKFLOW_WORKER, "--tasks"},
        {WORKFLOW_SINK, "--results"},
        {WORKFLOW_SINK, "extra-argument"},
        {WORKFLOW_DEMO, "--workers", "0"},
    };
    support::check_usage_errors(cases);
}

TEST_CASE("runtime errors give status 1 and a clear message and --help gives 0", "[cli]")
{
    process sink({WORKFLOW_SINK, "--results", support::any_tcp, "--feedback", "tcp://127.0.0.1:1", "--control", "tcp://127.0.0.1:1"});
    const auto results = ready(sink, "results on");
    const auto in_use = support::run({WORKFLOW_SINK, "--results", results});
    CHECK(in_use.status == 1);
    CHECK_THAT(in_use.output, ContainsSubstring("cannot bind") && ContainsSubstring("in use"));
    const auto bad = support::run({WORKFLOW_WORKER, "--tasks", "tcp://no-port-here"});
    CHECK(bad.status == 1);
    CHECK_THAT(bad.output, ContainsSubstring("cannot connect to 'tcp://no-port-here'"));

    support::check_help({WORKFLOW_VENTILATOR, WORKFLOW_WORKER, WORKFLOW_SINK, WORKFLOW_DEMO},
                        {"--duration", "--name", "--quiet", "--monitor"});
}
