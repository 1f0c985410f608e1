// PdfDoc: a small flowing-layout writer over cairo's PDF surface, with text laid out by pango
// (wrapping, any script the installed fonts cover). The PDF renderers of the member and
// analyst reports write headings, paragraphs, tables and bar/line charts with it; pages break
// by themselves.
//
// Text is passed as plain text (never pango markup), so nothing from outside can change
// the layout; invalid UTF-8 is replaced before it reaches pango.
//
// Thread safety: one PdfDoc per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cyberalarm::report::internal {

struct PdfBar {
    std::string label;
    double value = 0;
    std::string value_text;  // empty: the value with digit grouping
    unsigned rgb = 0x1d4ed8;
};

class PdfDoc {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<PdfDoc>> create(std::string_view title);
    ~PdfDoc();
    PdfDoc(const PdfDoc&) = delete;
    PdfDoc& operator=(const PdfDoc&) = delete;

    void banner(std::string_view title, std::string_view subtitle);
    void heading(std::string_view text);
    void paragraph(std::string_view text, bool bold = false);
    void note(std::string_view text);  // smaller, grey
    void bullet(std::string_view text, int number = 0);  // number 0: "•"
    // Columns take `widths` (fractions of the text width, summing to about 1).
    void table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows,
               const std::vector<double>& widths);
    void bar_chart(const std::vector<PdfBar>& bars);
    void line_chart(const std::vector<double>& values, std::string_view first_label,
                    std::string_view last_label);

    // Ends the document; the PDF bytes, or kInternal if cairo reported an error.
    [[nodiscard]] core::Result<std::string> finish();

    struct Impl;

private:
    explicit PdfDoc(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::report::internal
