# The server's ingest load generator (bench/ingest-throughput.sh drives it against a running
# cyberalarm-server).
if(TARGET ca_server AND TARGET ca_store_sqlite)
    add_executable(ingest_load ingest_load.cpp)
    target_link_libraries(ingest_load PRIVATE ca_server ca_store_sqlite ca_uplink ca_core
                          CLI11::CLI11)
endif()
