// PdfDoc over cairo + pango (see pdf_doc.h). Units are PDF points; the page is A4.
#include "report/internal/pdf_doc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>

#include "report/html.h"
#include "report/svg.h"

namespace cyberalarm::report::internal {
namespace {

constexpr double kPageW = 595.28;
constexpr double kPageH = 841.89;
constexpr double kMargin = 48;
constexpr double kTextW = kPageW - 2 * kMargin;

void set_rgb(cairo_t* cr, unsigned rgb) {
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0);
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

// Valid UTF-8 without control characters (pango refuses invalid UTF-8).
std::string clean(std::string_view text) {
    gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
    std::string out(valid);
    g_free(valid);
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
            c = ' ';
        }
    }
    return out;
}

}  // namespace

struct PdfDoc::Impl {
    std::string bytes;
    cairo_surface_t* surface = nullptr;
    cairo_t* cr = nullptr;
    double y = kMargin;

    ~Impl() {
        if (cr != nullptr) {
            cairo_destroy(cr);
        }
        if (surface != nullptr) {
            cairo_surface_destroy(surface);
        }
    }

    // Lays out text in `width`; draws it at (x, y) when draw is set. Returns its height.
    double text(std::string_view s, double x, double y0, double width, double size, bool bold,
                unsigned rgb, bool draw) {
        PangoLayout* layout = pango_cairo_create_layout(cr);
        PangoFontDescription* font = pango_font_description_new();
        pango_font_description_set_family(font, "DejaVu Sans,Liberation Sans,sans-serif");
        pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
        pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        pango_layout_set_font_description(layout, font);
        pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
        auto t = clean(s);
        pango_layout_set_text(layout, t.c_str(), static_cast<int>(t.size()));
        int w = 0;
        int h = 0;
        pango_layout_get_size(layout, &w, &h);
        if (draw) {
            set_rgb(cr, rgb);
            cairo_move_to(cr, x, y0);
            pango_cairo_show_layout(cr, layout);
        }
        pango_font_description_free(font);
        g_object_unref(layout);
        return static_cast<double>(h) / PANGO_SCALE;
    }

    // Starts a new page when `height` more does not fit.
    void need(double height) {
        if (y + height > kPageH - kMargin && y > kMargin) {
            cairo_show_page(cr);
            y = kMargin;
        }
    }

    void flow(std::string_view s, double size, bool bold, unsigned rgb, double indent = 0,
              double after = 6) {
        double h = text(s, kMargin + indent, y, kTextW - indent, size, bold, rgb, false);
        need(h);
        text(s, kMargin + indent, y, kTextW - indent, size, bold, rgb, true);
        y += h + after;
    }
};

PdfDoc::PdfDoc(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PdfDoc::~PdfDoc() = default;

core::Result<std::unique_ptr<PdfDoc>> PdfDoc::create(std::string_view title) {
    auto impl = std::make_unique<Impl>();
    impl->surface = cairo_pdf_surface_create_for_stream(&append_bytes, &impl->bytes, kPageW, kPageH);
    if (cairo_surface_status(impl->surface) != CAIRO_STATUS_SUCCESS) {
        return core::fail(core::Error::internal("cairo could not start a PDF"));
    }
    cairo_pdf_surface_set_metadata(impl->surface, CAIRO_PDF_METADATA_TITLE, clean(title).c_str());
    cairo_pdf_surface_set_metadata(impl->surface, CAIRO_PDF_METADATA_CREATOR, "cyberalarm");
    impl->cr = cairo_create(impl->surface);
    return std::unique_ptr<PdfDoc>(new PdfDoc(std::move(impl)));
}

void PdfDoc::banner(std::string_view title, std::string_view subtitle) {
    auto& d = *impl_;
    double h1 = d.text(title, kMargin + 12, 0, kTextW - 24, 20, true, 0xffffff, false);
    double h2 = d.text(subtitle, kMargin + 12, 0, kTextW - 24, 9.5, false, 0xe2e8f0, false);
    double h = h1 + h2 + 30;
    d.need(h);
    set_rgb(d.cr, 0x1e293b);
    cairo_rectangle(d.cr, kMargin, d.y, kTextW, h);
    cairo_fill(d.cr);
    d.text("CYBERALARM", kMargin + 12, d.y + 8, kTextW, 7.5, true, 0xcbd5e1, true);
    d.text(title, kMargin + 12, d.y + 18, kTextW - 24, 20, true, 0xffffff, true);
    d.text(subtitle, kMargin + 12, d.y + 20 + h1, kTextW - 24, 9.5, false, 0xe2e8f0, true);
    d.y += h + 12;
}

void PdfDoc::heading(std::string_view text) {
    auto& d = *impl_;
    d.need(60);  // keep a heading with what follows it
    d.y += 8;
    d.flow(text, 14, true, 0x1e3a8a, 0, 4);
}

void PdfDoc::paragraph(std::string_view text, bool bold) {
    impl_->flow(text, 10, bold, 0x1f2937);
}

void PdfDoc::note(std::string_view text) {
    impl_->flow(text, 8.5, false, 0x4b5563);
}

void PdfDoc::bullet(std::string_view text, int number) {
    auto& d = *impl_;
    double h = d.text(text, kMargin + 16, d.y, kTextW - 16, 10, false, 0, false);
    d.need(h);
    d.text(number > 0 ? std::to_string(number) + "." : "•", kMargin + 2, d.y, 14, 10, true,
           0x1f2937, true);
    d.flow(text, 10, false, 0x1f2937, 16, 4);
}

void PdfDoc::table(const std::vector<std::string>& header,
                   const std::vector<std::vector<std::string>>& rows,
                   const std::vector<double>& widths) {
    auto& d = *impl_;
    auto row_height = [&](const std::vector<std::string>& cells, bool bold) {
        double h = 0;
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
            h = std::max(h, d.text(cells[i], 0, 0, widths[i] * kTextW - 6, 8.5, bold, 0, false));
        }
        return h + 6;
    };
    auto draw_row = [&](const std::vector<std::string>& cells, bool bold) {
        double h = row_height(cells, bold);
        d.need(h);
        if (bold) {
            set_rgb(d.cr, 0xf1f5f9);
            cairo_rectangle(d.cr, kMargin, d.y, kTextW, h);
            cairo_fill(d.cr);
        }
        double x = kMargin;
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
            d.text(cells[i], x + 3, d.y + 3, widths[i] * kTextW - 6, 8.5, bold, 0x1f2937, true);
            x += widths[i] * kTextW;
        }
        d.y += h;
        set_rgb(d.cr, 0xe2e8f0);
        cairo_set_line_width(d.cr, 0.6);
        cairo_move_to(d.cr, kMargin, d.y);
        cairo_line_to(d.cr, kMargin + kTextW, d.y);
        cairo_stroke(d.cr);
    };
    draw_row(header, true);
    for (const auto& r : rows) {
        draw_row(r, false);
    }
    d.y += 8;
}

void PdfDoc::bar_chart(const std::vector<PdfBar>& bars) {
    auto& d = *impl_;
    if (bars.empty()) {
        return;
    }
    double max = 0;
    for (const auto& b : bars) {
        max = std::max(max, b.value);
    }
    constexpr double kLabelW = 150;
    constexpr double kValueW = 60;
    constexpr double kRow = 15;
    d.need(kRow * static_cast<double>(std::min<std::size_t>(bars.size(), 10)));
    for (const auto& b : bars) {
        d.need(kRow);
        d.text(b.label, kMargin, d.y + 1, kLabelW - 6, 8.5, false, 0x1f2937, true);
        double w = max > 0 ? (kTextW - kLabelW - kValueW) * b.value / max : 0;
        set_rgb(d.cr, b.rgb);
        cairo_rectangle(d.cr, kMargin + kLabelW, d.y + 2, std::max(w, 0.5), kRow - 5);
        cairo_fill(d.cr);
        auto value = b.value_text.empty()
                         ? group_digits(static_cast<std::uint64_t>(std::llround(b.value)))
                         : b.value_text;
        d.text(value, kMargin + kLabelW + w + 4, d.y + 1, kValueW, 8.5, false, 0x1f2937, true);
        d.y += kRow;
    }
    d.y += 8;
}

void PdfDoc::line_chart(const std::vector<double>& values, std::string_view first_label,
                        std::string_view last_label) {
    auto& d = *impl_;
    if (values.empty()) {
        return;
    }
    constexpr double kH = 150;
    constexpr double kAxisW = 40;
    d.need(kH + 24);
    double max = *std::max_element(values.begin(), values.end());
    const double step = svg::axis_step(max, 4);
    const double top = std::max(step, std::ceil(max / step) * step);
    const double x0 = kMargin + kAxisW;
    const double w = kTextW - kAxisW;
    cairo_set_line_width(d.cr, 0.5);
    for (double v = 0; v <= top + step / 2; v += step) {
        double y = d.y + kH - kH * v / top;
        set_rgb(d.cr, 0xe2e8f0);
        cairo_move_to(d.cr, x0, y);
        cairo_line_to(d.cr, x0 + w, y);
        cairo_stroke(d.cr);
        d.text(svg::compact_number(v), kMargin, y - 5, kAxisW - 4, 7.5, false, 0x4b5563, true);
    }
    const double dx = w / static_cast<double>(values.size());
    cairo_move_to(d.cr, x0, d.y + kH);
    for (std::size_t i = 0; i < values.size(); ++i) {
        cairo_line_to(d.cr, x0 + dx * (static_cast<double>(i) + 0.5), d.y + kH - kH * values[i] / top);
    }
    cairo_line_to(d.cr, x0 + w, d.y + kH);
    cairo_close_path(d.cr);
    set_rgb(d.cr, 0xdbeafe);
    cairo_fill_preserve(d.cr);
    set_rgb(d.cr, 0x1e40af);
    cairo_set_line_width(d.cr, 1.2);
    cairo_stroke(d.cr);
    d.y += kH + 3;
    d.text(first_label, x0, d.y, w / 2, 7.5, false, 0x4b5563, true);
    d.text(last_label, x0 + w / 2, d.y, w / 2, 7.5, false, 0x4b5563, true);
    d.y += 18;
}

core::Result<std::string> PdfDoc::finish() {
    auto& d = *impl_;
    cairo_destroy(d.cr);
    d.cr = nullptr;
    cairo_surface_finish(d.surface);
    auto status = cairo_surface_status(d.surface);
    cairo_surface_destroy(d.surface);
    d.surface = nullptr;
    if (status != CAIRO_STATUS_SUCCESS) {
        return core::fail(core::Error::internal(std::string("cairo: ") +
                                                cairo_status_to_string(status)));
    }
    return std::move(d.bytes);
}

}  // namespace cyberalarm::report::internal
