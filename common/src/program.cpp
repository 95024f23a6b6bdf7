#include "common/program.hpp"

#include <iostream>
#include <optional>

#include "common/console.hpp"
#include "common/stop.hpp"

namespace common {

// slide: make-context
zmq::context_t make_context()
{
    zmq::context_t ctx;
    ctx.set(zmq::ctxopt::blocky, false);
    return ctx;
}
// end slide

void connect(zmq::socket_ref socket, const std::string& endpoint)
{
    use_ipc_endpoint(endpoint);
    try {
        socket.connect(endpoint);
    } catch (const zmq::error_t& e) {
        std::string why = "cannot connect to '" + endpoint + "': " + e.what();
        if (e.num() == EINVAL && endpoint.find("pgm://") != std::string::npos)
            why += " (name the interface by its address: epgm://192.168.1.20;239.192.1.1:5600)";
        throw std::runtime_error(why);
    }
}

program::program(std::string name, std::string description)
    : name_(std::move(name)), app_(std::move(description), name_)
{
    // A later option wins over an earlier one, so scripts can append overrides.
    app_.option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app_.get_formatter()->column_width(34);
    app_.add_option("--duration", duration_, "Stop by itself after this many seconds (0: run until Ctrl-C)")
        ->check(CLI::NonNegativeNumber)
        ->type_name("S");
}

void program::add_role_options(role_options& opts)
{
    opts.name = name_;
    app_.add_option("--name", opts.name, "Name that prefixes this program's output lines");
    app_.add_flag("-q,--quiet", opts.quiet, "Print only warnings, errors and final figures");
    app_.add_flag("--monitor", opts.monitor, "Print socket events (listening, connected, ...) from the socket monitor");
}

void program::add_endpoints(const std::string& flag, std::vector<std::string>& out, std::string service,
                            side s, const std::string& help)
{
    add_transport();
    const auto defaults = endpoints_for(service, transport::tcp);
    app_.add_option(flag, out, help + " (repeatable)")
        ->type_name("ENDPOINT")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->default_str(s == side::bind ? defaults.bind : defaults.connect);
    after_parse([this, &out, service, s] {
        if (!out.empty()) return;
        const auto ep = endpoints_for(service, transport_);
        out.push_back(s == side::bind ? ep.bind : ep.connect);
    });
}

void program::add_transport(transport default_transport)
{
    if (transport_added_) return;
    transport_added_ = true;
    transport_ = default_transport;
    app_.add_option_function<std::string>(
            "-t,--transport", [this](const std::string& text) { transport_ = *parse_transport(text); },
            "Transport for the default endpoints")
        ->check(CLI::IsMember({"tcp", "ipc", "inproc"}))
        ->default_str(std::string(to_string(default_transport)));
}

void program::add_count(std::uint64_t& count, const std::string& what)
{
    app_.add_option("-n,--count", count, "Stop after N " + what + " (0: no limit)")
        ->check(CLI::NonNegativeNumber)->type_name("N");
}

int program::parse(int argc, char** argv)
{
    try {
        app_.parse(argc, argv);
        if (transport_ == transport::inproc && !inproc_ok_)
            throw usage_error("--transport inproc works only between threads of one process; "
                              "this program runs one role (the *-demo programs run a whole topology)");
        for (const auto& check : checks_) check();
        return -1;
    } catch (const CLI::CallForHelp&) {
        std::cout << app_.help();
        return 0;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << app_.help("", CLI::AppFormatMode::All);
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << name_ << ": " << e.what() << "\nRun with --help for more information.\n";
        return 2;
    } catch (const usage_error& e) {
        std::cerr << name_ << ": " << e.what() << "\nRun with --help for more information.\n";
        return 2;
    }
}

int program::run(int argc, char** argv, const std::function<void(zmq::context_t&, std::stop_token)>& role)
{
    if (const int status = parse(argc, argv); status >= 0) return status;

    // Before any thread (libzmq's included) exists: see signal_stop.
    std::optional<std::chrono::nanoseconds> duration;
    if (duration_ > 0) duration = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(duration_));
    signal_stop stop(duration);
    try {
        auto ctx = make_context();
        role(ctx, stop.token());
        return 0;
    } catch (const partial_result& e) {
        console(name_).error(e.what());
        return partial_result_status;
    } catch (const std::exception& e) {
        console(name_).error(e.what());
        return 1;
    }
}

}  // namespace common
