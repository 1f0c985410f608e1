# The REST API in process (bench/api_bench.cpp): handle() latency on a 1M-event SQLite store.
if(TARGET ca_server_api AND TARGET ca_store_sqlite)
    add_executable(api_bench api_bench.cpp)
    target_link_libraries(api_bench PRIVATE ca_server_api ca_store_sqlite ca_core benchmark::benchmark)
endif()
