# Report generation benchmark (plain main: a 10M-event member-week and a 1,000-member
# national report, medians of runs). Figures and commands: bench/README.md, "Reports".
if(TARGET ca_report AND TARGET ca_store_sqlite)
    add_executable(report_bench report_bench.cpp)
    target_link_libraries(report_bench PRIVATE ca_report ca_store_sqlite ca_store ca_core)
endif()
