"""GS1 GRAI identifiers, code parsing and label rendering for returnable packaging.

Pure library: standard library plus qrcode, Pillow and reportlab only.
"""

from labels.codes import Alias, parse_code
from labels.errors import CodeError, GraiError, LabelError
from labels.grai import Grai, check_digit, make_grai
from labels.layout import LabelSpec, SheetLayout, label_spec
from labels.render_pdf import label_sheet_pdf
from labels.render_qr import qr_matrix, qr_png, qr_svg
from labels.render_zpl import label_zpl

__all__ = [
    "Alias",
    "CodeError",
    "Grai",
    "GraiError",
    "LabelError",
    "LabelSpec",
    "SheetLayout",
    "check_digit",
    "label_sheet_pdf",
    "label_spec",
    "label_zpl",
    "make_grai",
    "parse_code",
    "qr_matrix",
    "qr_png",
    "qr_svg",
]
