"""Fonts for the PDFs (reportlab): Helvetica for Latin text; reportlab's built-in CID font
STSong-Light for Chinese.

STSong-Light is one of the Adobe Asian fonts every PDF reader has: it is named in the
PDF, not embedded, so nothing is downloaded or shipped. It has no bold or italic face,
so those map to it too (headings in Chinese stand out by size and colour). A PDF uses
it when it is rendered in Chinese, or when its own text (a customer's or an asset
type's name) has characters Helvetica cannot show.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

from app.platform import i18n

CJK_FONT = "STSong-Light"


@dataclass(frozen=True)
class PdfFonts:
    regular: str
    bold: str
    italic: str

    def __call__(self, standard_font: str) -> str:
        """This family's face for one of Helvetica's (`Helvetica-Bold` -> `bold`)."""
        if "Bold" in standard_font:
            return self.bold
        return self.italic if "Oblique" in standard_font or "Italic" in standard_font else self.regular


LATIN = PdfFonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique")
CJK = PdfFonts(CJK_FONT, CJK_FONT, CJK_FONT)


def fonts_for(*texts: str) -> PdfFonts:
    """The family for a PDF in the active language that shows `texts`."""
    if i18n.is_chinese() or not all(_latin(t) for t in texts):
        _register_cjk()
        return CJK
    return LATIN


def restyle(style: ParagraphStyle, fonts: PdfFonts) -> ParagraphStyle:
    """`style` with its font (and the faces <b> and <i> pick) from `fonts`."""
    if fonts is LATIN:
        return style
    return ParagraphStyle(f"{style.name}-{fonts.regular}", parent=style, fontName=fonts(style.fontName))


def _latin(text: str) -> bool:
    # reportlab writes the standard fonts in WinAnsiEncoding (cp1252)
    try:
        str(text).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _register_cjk() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        pdfmetrics.registerFontFamily(CJK_FONT, normal=CJK_FONT, bold=CJK_FONT, italic=CJK_FONT, boldItalic=CJK_FONT)
