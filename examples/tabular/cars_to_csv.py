#!/usr/bin/env python3
"""Writes vega-datasets' cars.json (StatLib's Auto MPG, 406 cars) as a CSV for the tabular example.

usage: cars_to_csv.py CARS_JSON OUT_CSV

Missing values (8 mpg, 6 horsepower) stay empty cells; Year '1970-01-01' becomes the model year 1970.
"""
import csv
import json
import sys

COLUMNS = ["name", "mpg", "cylinders", "displacement", "horsepower", "weight", "acceleration", "year", "origin"]
SOURCE = ["Name", "Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration",
          "Year", "Origin"]


def main(source, target):
    with open(source, encoding="utf-8") as f:
        cars = json.load(f)
    with open(target, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(COLUMNS)
        for car in cars:
            row = ["" if car[key] is None else car[key] for key in SOURCE]
            row[7] = row[7][:4]
            out.writerow(row)
    print(f"wrote {len(cars)} cars to {target}")


if __name__ == "__main__":
    main(*sys.argv[1:])
