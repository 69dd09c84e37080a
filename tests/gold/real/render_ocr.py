"""How the ``*.rapidocr.md`` renderings beside this file were made.

A real report's PDF, each page rendered by pypdfium2 at scale 2 (an A4 page is
1190 x 1684 pixels: no tiling needed), read by RapidOCR 3.10.0 with the PP-OCRv6
small models its wheel ships (onnxruntime; nothing downloaded), and written as
``RapidOCROutput.to_markdown()`` gives it, the pages joined by a blank line.
The output is kept byte for byte, misreadings included: it is the layout an
OCR tool really produces, scored against the same hand-read gold as the PDF.

    python tests/gold/real/render_ocr.py huaian-szf-2024.pdf huaian-szf-2024.rapidocr.md

(needs ``pip install rapidocr==3.10.0 pypdfium2``; not a dependency of the
project's tests, which only read the committed renderings.)
"""

import sys

import pypdfium2 as pdfium
from rapidocr import RapidOCR


def main(pdf_path: str, out_path: str) -> None:
    ocr = RapidOCR()
    pdf = pdfium.PdfDocument(pdf_path)
    pages = []
    for number in range(len(pdf)):
        image = pdf[number].render(scale=2.0).to_numpy()[:, :, :3].copy()
        pages.append(ocr(image).to_markdown())
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n\n".join(pages) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
