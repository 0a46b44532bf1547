"""Writes scikit-learn's digits (1,797 8x8 grayscale images of handwritten digits, UCI ML
hand-written digits test set; BSD-3-Clause via scikit-learn) as PNG files plus a CSV that names
them: image_path (relative to the CSV's folder) and label.

usage: /usr/bin/python3 digits_to_png.py OUT_DIR
"""
import csv
import sys
from pathlib import Path

from PIL import Image
from sklearn.datasets import load_digits


def main(out_dir):
    out = Path(out_dir)
    (out / "digits").mkdir(parents=True, exist_ok=True)
    digits = load_digits()
    with open(out / "digits.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["image_path", "label"])
        for i, (pixels, label) in enumerate(zip(digits.images, digits.target)):
            # pixel values are 0..16: scale to 0..255 in 8-bit grayscale
            image = Image.fromarray((pixels * 255.0 / 16.0).round().astype("uint8"), mode="L")
            name = f"digits/{i:04d}.png"
            image.save(out / name, optimize=True)
            writer.writerow([name, int(label)])


if __name__ == "__main__":
    main(sys.argv[1])
