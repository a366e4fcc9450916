#!/usr/bin/env python3
"""The yardstick of scripts/bench.sh: the assessment of a `checkmyogp generate` folder written
the usual way in pandas, for comparison with `checkmyogp assess DIR --format json`.

    python3 scripts/assess_pandas.py DIR > out.json

It reads plan.toml, rubric.toml and scores/*.csv (long form), turns each level into its value,
combines each commitment's ratings per criterion (median for ordinal scales, mean otherwise,
as the generated rubric asks), counts ratings and cited evidence, derives each commitment's
rating from the rubric's rating criterion, and writes the results as JSON. It does not check the
input or write the tool's full schema: it is the work pandas must do at the least, so the
comparison favours pandas.
"""

import glob
import json
import os
import sys
import tomllib

import pandas as pd


def main() -> None:
    folder = sys.argv[1]
    with open(os.path.join(folder, "plan.toml"), "rb") as f:
        plan = tomllib.load(f)
    rubric_path = os.path.join(folder, plan.get("assessment", {}).get("rubric", "rubric.toml"))
    with open(rubric_path, "rb") as f:
        rubric = tomllib.load(f)

    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted(glob.glob(os.path.join(folder, "scores", "*.csv")))
    ]
    scores = pd.concat(frames, ignore_index=True)

    # Level label -> value, per criterion.
    values = pd.DataFrame(
        [
            (c["id"], level["label"], float(level["value"]))
            for c in rubric["criterion"]
            for level in c["level"]
        ],
        columns=["criterion", "level", "value"],
    )
    rated = scores.merge(values, on=["criterion", "level"], how="left")
    rated["cited"] = rated["evidence"].str.len() > 0

    ordinal = {c["id"] for c in rubric["criterion"] if c.get("scale") == "ordinal"}
    grouped = rated.groupby(["commitment", "criterion"], sort=False)
    combined = grouped.agg(
        median=("value", "median"),
        mean=("value", "mean"),
        ratings=("value", "size"),
        evidence=("cited", "sum"),
    ).reset_index()
    combined["value"] = combined["median"].where(
        combined["criterion"].isin(ordinal), combined["mean"]
    )

    rating_criterion = rubric.get("rating", {}).get("criterion")
    labels = {
        c["id"]: {float(level["value"]): level["label"] for level in c["level"]}
        for c in rubric["criterion"]
    }
    results = []
    for commitment, rows in combined.groupby("commitment", sort=False):
        criteria = {
            row.criterion: {
                "value": row.value,
                "level": labels[row.criterion].get(float(round(row.value))),
                "ratings": int(row.ratings),
                "evidence": int(row.evidence),
            }
            for row in rows.itertuples()
        }
        rating = criteria.get(rating_criterion, {}).get("level")
        results.append({"id": commitment, "rating": rating, "criteria": criteria})
    json.dump({"commitments": results}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
