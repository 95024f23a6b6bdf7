// The desk's actors that wrap the examples' roles. Each connects a PAIR to
// the hub (its pipe) and runs a role in its own thread; the role's hooks
// (on_tick, client events, the sink's on_progress/on_done) run in that same
// thread, so they may use the thread's sockets.
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <unistd.h>

#include "common/console.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"
#include "desk.hpp"
#include "events.hpp"
#include "query.hpp"
#include "ticker.hpp"
#include "workflow.hpp"

namespace desk {

using clock = std::chrono::steady_clock;
constexpr auto progress_interval = 100ms;  // the sink reports progress at most this often
constexpr auto event_wait = 1s;            // an important event waits this long for a busy hub
constexpr int max_rebinds = 20;            // a batch's endpoints still taken: try again this often...
constexpr auto rebind_wait = 50ms;         // ...this far apart

namespace {

std::string format(const char* fmt, double value)
{
    char text[32];
    std::snprintf(text, sizeof text, fmt, value);
    return text;
}

// The actor's end of its pipe to the hub.
class pipe_end {
public:
    pipe_end(zmq::context_t& ctx, std::string_view actor) : socket_(ctx, zmq::socket_type::pair)
    {
        common::connect(socket_, pipe_endpoint(actor));
    }
    // A tick may be dropped when the hub lags; other events wait a little.
    bool emit(const event& e, std::stop_token stop, std::chrono::milliseconds wait = event_wait)
    {
        auto msg = encode(e);
        return common::send(socket_, msg, stop, wait);
    }
    zmq::socket_t& socket() { return socket_; }

private:
    zmq::socket_t socket_;
};

common::role_options quiet(const common::role_options& role, std::string name)
{
    return {std::move(name), true, role.monitor};
}

}  // namespace

void run_market(zmq::context_t& ctx, const market_options& opts, std::stop_token stop)
{
    // slide: desk-market
    pipe_end hub(ctx, market_actor);
    ticker::sub_options sub;
    sub.role = quiet(opts.role, opts.role.name);
    sub.connect = opts.connect;
    sub.symbols = opts.symbols;
    sub.on_tick = [&](const ticker::tick& t) {  // runs in this thread
        hub.emit({"tick", {t.symbol, format("%.2f", t.price),
                           format("%.2f", t.open)}}, stop, 0ms);
    };
    ticker::run_sub(ctx, sub, stop);
    // end slide
}

void run_chat(zmq::context_t& ctx, const chat_options& opts, std::stop_token stop)
{
    pipe_end hub(ctx, chat_actor);
    chat::client_options client;
    client.role = quiet(opts.role, opts.role.name);
    client.conn = opts.conn;
    client.handle = opts.handle;
    client.room = opts.room;
    client.input = std::string(wiring::chat_input);  // the hub PUSHes the lines to say
    client.events.on_broadcast = [&](const chat::broadcast& b) {
        if (b.kind == chat::word::msg) hub.emit({"chat", {b.handle, b.text}}, stop);
        else if (b.kind == chat::word::joined) hub.emit({"presence", {"joined", b.handle}}, stop);
        else if (b.kind == chat::word::left) hub.emit({"presence", {"left", b.handle}}, stop);
        else hub.emit({"presence", {"expired", b.handle}}, stop);
    };
    client.events.on_notice = [&](const std::string& text) { hub.emit({"notice", {text}}, stop); };
    chat::run_client(ctx, client, stop);
}

namespace {

// One order's batch on the workflow: a ventilator and a sink of its own
// (plus worker threads, when the desk has no workers elsewhere), as threads.
class batch {
public:
    batch(zmq::context_t& ctx, const valuation_options& opts, std::uint64_t run, const std::string& order, std::uint32_t tasks)
        : group_(std::make_unique<common::thread_group>())
    {
        const bool embedded = opts.tasks.empty();
        const auto name = [&](const char* what) { return "inproc://desk-workflow-" + std::string(what) + "-" + std::to_string(run); };
        // The sink is in this process too: it hears END over inproc, at once,
        // however short the batch (a tcp SUB may still be connecting).
        const auto feedback = name("feedback"), end = name("end");
        vent_.role = quiet(opts.role, "ventilator");
        vent_.tasks = embedded ? std::vector{name("tasks")} : opts.tasks;
        vent_.feedback = {feedback};
        vent_.control = embedded ? std::vector<std::string>{} : opts.control;
        vent_.control.push_back(end);
        vent_.batch = tasks;
        vent_.paths = opts.paths;
        vent_.seed = std::hash<std::string>{}(order) | 1;  // each order values a book of its own
        vent_.workers = opts.workers;
        vent_.join_wait = opts.join_wait;
        sink_.role = quiet(opts.role, "sink");
        sink_.results = embedded ? std::vector{name("results")} : opts.results;
        sink_.feedback = {feedback};
        sink_.control = {end};
        if (embedded)
            for (unsigned i = 1; i <= opts.workers; ++i)
                crew_.push_back({quiet(opts.role, "worker-" + std::to_string(i)), vent_.tasks, sink_.results, {end}, 0, {}, false});

        group_->spawn("ventilator", [&ctx, this](std::stop_token s) { workflow::run_ventilator(ctx, vent_, s); });
        group_->spawn("sink", [&ctx, this, run](std::stop_token s) { run_sink(ctx, run, s); });
        for (auto& w : crew_) group_->spawn(w.role.name, [&ctx, &w](std::stop_token s) { workflow::run_worker(ctx, w, s); });
    }

    // A role failed (the group stopped by itself).
    bool failed() const { return group_->token().stop_requested(); }
    // Joins the threads; the first failure, if any.
    std::optional<std::string> finish()
    {
        try {
            group_->wait();
            return std::nullopt;
        } catch (const std::exception& e) {
            return e.what();
        }
    }

private:
    // The sink's thread: its hooks report to the valuation actor through a
    // PUSH socket of this thread's own.
    void run_sink(zmq::context_t& ctx, std::uint64_t run, std::stop_token stop) const
    {
        zmq::socket_t reports(ctx, zmq::socket_type::push);
        common::connect(reports, std::string(wiring::reports));
        const auto id = std::to_string(run);
        auto report = [&](std::vector<std::string> frames, std::chrono::milliseconds wait) {
            auto msg = text_message(frames);
            common::send(reports, msg, stop, wait);
        };
        auto sink = sink_;
        clock::time_point last{};
        sink.on_progress = [&](std::uint32_t done, std::uint32_t tasks) {
            if (done < tasks && clock::now() - last < progress_interval) return;
            last = clock::now();
            report({id, "progress", std::to_string(done), std::to_string(tasks)}, 0ms);
        };
        sink.on_done = [&](const workflow::batch_report& r) {
            report({id, "done", workflow::format_micros(r.value), workflow::format_micros(r.analytic), format("%.2f", r.seconds)},
                   event_wait);
        };
        workflow::run_sink(ctx, sink, stop);
    }

    workflow::ventilator_options vent_;
    workflow::sink_options sink_;
    std::vector<workflow::worker_options> crew_;
    std::unique_ptr<common::thread_group> group_;  // last: its threads use the options above
};

}  // namespace

// The valuation actor: takes orders from its pipe, one batch at a time.
void run_valuation(zmq::context_t& ctx, const valuation_options& opts, std::stop_token stop)
{
    pipe_end hub(ctx, valuation_actor);
    zmq::socket_t reports(ctx, zmq::socket_type::pull);
    common::bind(reports, std::string(wiring::reports));
    struct order {
        std::string id;
        std::uint32_t tasks;
    };
    std::deque<order> waiting;
    std::optional<order> running;
    int rebinds = 0;  // tries to bind an address the previous batch has not quite let go of
    std::unique_ptr<batch> current;
    std::uint64_t runs = 0;

    auto start_next = [&] {
        while (!current && !waiting.empty()) {
            running = waiting.front();
            waiting.pop_front();
            try {
                current = std::make_unique<batch>(ctx, opts, ++runs, running->id, running->tasks);
                hub.emit({"order-started", {running->id, std::to_string(running->tasks)}}, stop);
            } catch (const std::exception& e) {
                hub.emit({"order-failed", {running->id, e.what()}}, stop);
            }
        }
    };
    auto end_current = [&](const std::optional<std::string>& failure) {
        const auto why = current->finish();
        current.reset();
        // libzmq closes a socket's listener in the background: over tcp, the
        // next batch may find its port still taken for a moment.
        if (why && why->find("Address already in use") != std::string::npos && rebinds < max_rebinds &&
            common::sleep_for(rebind_wait, stop)) {
            ++rebinds;
            waiting.push_front(*running);
            running.reset();
            return start_next();
        }
        rebinds = 0;
        if (failure || why) hub.emit({"order-failed", {running->id, failure ? *failure : *why}}, stop);
        running.reset();
        start_next();
    };

    std::vector<zmq::message_t> msg;
    while (!stop.stop_requested()) {
        zmq::pollitem_t items[] = {{hub.socket().handle(), 0, ZMQ_POLLIN, 0}, {reports.handle(), 0, ZMQ_POLLIN, 0}};
        common::poll(items, stop, 100ms);
        while (common::recv(hub.socket(), msg, stop, 0ms)) {
            // order ID TASKS (from the hub, which checked it)
            const auto args = texts(msg);
            const auto tasks = args.size() == 3 && args[0] == "order" ? common::parse_int(args[2]) : common::parse_int("");
            if (!tasks || *tasks < 1 || *tasks > workflow::max_tasks) {
                hub.emit({"notice", {"valuation: dropped a malformed order"}}, stop);
                continue;
            }
            if (waiting.size() >= opts.max_queued) {
                hub.emit({"order-failed", {args[1], "too many orders waiting"}}, stop);
                continue;
            }
            waiting.push_back({args[1], static_cast<std::uint32_t>(*tasks)});
            if (current) hub.emit({"order-queued", {args[1], args[2]}}, stop);
            start_next();
        }
        while (common::recv(reports, msg, stop, 0ms)) {
            // RUN progress DONE TASKS | RUN done VALUE ANALYTIC SECONDS (from our sink threads)
            const auto r = texts(msg);
            if (!current || r.size() < 2 || r[0] != std::to_string(runs)) continue;  // an earlier batch's
            if (r[1] == "progress" && r.size() == 4) hub.emit({"order-progress", {running->id, r[2], r[3]}}, stop, 0ms);
            if (r[1] == "done" && r.size() == 5) {
                hub.emit({"order-done", {running->id, r[2], r[3], r[4]}}, stop);
                end_current(std::nullopt);
            }
        }
        if (current && current->failed() && !stop.stop_requested()) end_current(std::nullopt);
    }
}

// The query actor: asks the query engine what the hub passes on, one
// question at a time (query::client: a REQ that retries, then gives up), and
// emits the answer. A dead engine costs a few seconds of this thread, not the desk's.
void run_query(zmq::context_t& ctx, const query_options& opts, std::stop_token stop)
{
    pipe_end hub(ctx, query_actor);
    query::client engine(ctx, opts.connect);
    std::vector<zmq::message_t> msg;
    while (common::recv(hub.socket(), msg, stop)) {
        const auto args = texts(msg);  // query ID TEXT (from the hub, which checked it)
        if (args.size() != 3 || args[0] != "query") {
            hub.emit({"notice", {"query: dropped a malformed request"}}, stop);
            continue;
        }
        const auto answer = engine.ask(args[2], stop);
        if (!answer) hub.emit({"answer", {args[1], "error", answer.error(), args[2]}}, stop);
        else hub.emit({"answer", {args[1], answer->ok ? "ok" : "error", answer->text, args[2]}}, stop);
    }
}

// Console: typed lines become requests, as the web page's POSTs do.
void run_console_input(zmq::context_t& ctx, const common::role_options& role, std::stop_token stop)
{
    const common::console out(role.name, role.quiet);
    std::string pending;
    char buffer[4096];
    while (!stop.stop_requested()) {
        zmq::pollitem_t items[] = {{nullptr, STDIN_FILENO, ZMQ_POLLIN, 0}};
        if (!common::poll(items, stop)) continue;
        const auto n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) return;  // end of input: the desk goes on
        pending.append(buffer, static_cast<std::size_t>(n));
        for (auto eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n')) {
            auto line = pending.substr(0, eol);
            pending.erase(0, eol + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            std::vector<std::string> req{"say", line};
            if (line.starts_with("/order")) req = {"order", line.size() > 7 ? line.substr(7) : "10"};
            else if (line.starts_with("/query ")) req = {"query", line.substr(7)};
            else if (line == "/help" || line.starts_with("/")) {
                out.info("type a line to say it in the chat; /order N values a book of N positions; /query LAST AAPL asks the query engine");
                continue;
            }
            const auto reply = request(ctx, req, stop);
            if (reply.empty() || reply[0] != "OK") out.warn(reply.size() > 1 ? reply[1] : "refused");
            else if (reply.size() > 1) out.info(req[0] == "order" ? "order " : "query ", reply[1], req[0] == "order" ? " placed" : " asked");
        }
    }
}

}  // namespace desk
