# SQLite store benchmark (plain main: phases of ingest, fill and search, medians of runs).
# Figures and commands: bench/README.md, "Store (SQLite)".
if(TARGET ca_store_sqlite)
    find_package(Threads REQUIRED)
    add_executable(store_bench store_bench.cpp)
    target_link_libraries(store_bench PRIVATE ca_store_sqlite ca_store ca_core Threads::Threads)
endif()
