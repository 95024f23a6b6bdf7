// query-client: asks a query-server (or query-broker); follows replicas and standing queries.
#include "query.hpp"

int main(int argc, char** argv)
{
    query::client_options opts;
    common::program prog("query-client", "Asks a query-server: one query, a prompt, --watch or --follow (Example 4).");
    query::add_options(prog, opts);
    bool answered = true;
    const int status = prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        answered = query::run_client(ctx, opts, stop);
    });
    return status == 0 && !answered ? 1 : status;  // 1: the server said ERR
}
