"""Golden values from scikit-learn / scipy / numpy for the shared/stats tests.

Reads a JSON list of requests on stdin, writes a JSON list of results (NaN as null) on stdout.
Run by test/harness/sklearn.ts with the venv from scripts/install-python.sh.
"""
import json
import math
import sys
import warnings

import numpy as np
from scipy import special, stats
from sklearn import metrics
from sklearn.preprocessing import label_binarize
from sklearn.utils.multiclass import unique_labels

warnings.simplefilter("ignore")  # undefined-metric warnings are part of the cases


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return None if math.isnan(x) else x
    if isinstance(x, np.integer):
        return int(x)
    return x


def classification(r):
    y = np.array(r["yTrue"], dtype=object)
    p = np.array(r["yPred"], dtype=object)
    proba = np.array(r["proba"], dtype=np.float64) if r.get("proba") is not None else None
    idx = r.get("idx")
    if idx is not None:
        y, p = y[idx], p[idx]
        proba = proba[idx] if proba is not None else None
    y = y.astype(str)
    p = p.astype(str)
    labels = r.get("labels")
    kw = {} if labels is None else {"labels": labels}
    used = list(unique_labels(y, p)) if labels is None else labels
    out = {
        "labels": [str(v) for v in used],
        "accuracy": metrics.accuracy_score(y, p),
        "confusion_matrix": metrics.confusion_matrix(y, p, **kw),
    }
    for avg in ("macro", "weighted"):
        out[f"precision_{avg}"] = metrics.precision_score(y, p, average=avg, zero_division=0, **kw)
        out[f"recall_{avg}"] = metrics.recall_score(y, p, average=avg, zero_division=0, **kw)
        out[f"f1_{avg}"] = metrics.f1_score(y, p, average=avg, zero_division=0, **kw)
    pr, rc, f1, support = metrics.precision_recall_fscore_support(y, p, labels=used, average=None, zero_division=0)
    out["per_class"] = {"precision": pr, "recall": rc, "f1": f1, "support": support}
    if proba is not None:
        classes = r["classes"]
        present = set(y.tolist())
        if len(classes) == 2:
            pos = classes[1]
            if present == set(classes):
                out["roc_auc"] = metrics.roc_auc_score(y, proba[:, 1])
            else:
                out["roc_auc"] = metrics.roc_auc_score((y == pos).astype(int), proba[:, 1])
            out["pr_auc"] = metrics.average_precision_score(y, proba[:, 1], pos_label=pos)
            out["brier"] = metrics.brier_score_loss(y, proba[:, 1], pos_label=pos)
        else:
            out["roc_auc"] = metrics.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)
            if present == set(classes):
                out["pr_auc"] = metrics.average_precision_score(y, proba, average="macro")
            else:
                out["pr_auc"] = metrics.average_precision_score(label_binarize(y, classes=classes), proba, average="macro")
            out["brier"] = metrics.brier_score_loss(y, proba, labels=classes)
        out["log_loss"] = metrics.log_loss(y, proba, labels=classes)
    return out


def regression(r):
    y = np.array(r["yTrue"], dtype=np.float64)
    p = np.array(r["yPred"], dtype=np.float64)
    if r.get("idx") is not None:
        y, p = y[r["idx"]], p[r["idx"]]
    return {
        "rmse": metrics.root_mean_squared_error(y, p),
        "mae": metrics.mean_absolute_error(y, p),
        "r2": metrics.r2_score(y, p),
        "mape": metrics.mean_absolute_percentage_error(y, p),
    }


def mcnemar(r):
    # statsmodels.stats.contingency_tables.mcnemar(table, exact=b + c < 25, correction=True),
    # written out with scipy (statsmodels is not in the venv).
    b, c = r["b"], r["c"]
    n = b + c
    if n < 25:
        k = min(b, c)
        p = 1.0 if n == 0 else stats.binomtest(k, n, 0.5, alternative="two-sided").pvalue
        p_sm = min(1.0, 2 * stats.binom.cdf(k, n, 0.5))  # statsmodels' own formula
        return {"statistic": k, "pValue": p, "pValueStatsmodels": p_sm, "method": "exact"}
    stat = (abs(b - c) - 1) ** 2 / n
    return {"statistic": stat, "pValue": stats.chi2.sf(stat, 1), "pValueStatsmodels": stats.chi2.sf(stat, 1), "method": "chi2"}


def delong(r):
    """DeLong's covariance of the AUCs of several scores on one binary label: Sun & Xu's fast
    algorithm (midranks, scipy.stats.rankdata), written from the paper as the widely used Python
    port does; the AUCs from scikit-learn's roc_auc_score."""
    y = np.array(r["y"], dtype=int)
    scores = np.array(r["scores"], dtype=np.float64)  # k x n
    pos, neg = scores[:, y == 1], scores[:, y == 0]
    m, n = pos.shape[1], neg.shape[1]
    tx = np.array([stats.rankdata(p) for p in pos])
    ty = np.array([stats.rankdata(q) for q in neg])
    tz = np.array([stats.rankdata(s) for s in np.concatenate([pos, neg], axis=1)])
    aucs = tz[:, :m].sum(axis=1) / m / n - (m + 1.0) / 2.0 / n
    v01 = (tz[:, :m] - tx) / n
    v10 = 1.0 - (tz[:, m:] - ty) / m
    cov = np.atleast_2d(np.cov(v01)) / m + np.atleast_2d(np.cov(v10)) / n
    return {"auc": aucs, "sklearn": [metrics.roc_auc_score(y, s) for s in scores], "cov": cov}


HANDLERS = {
    "delong": delong,
    "classification": classification,
    "regression": regression,
    "mcnemar": mcnemar,
    "chi2sf": lambda r: stats.chi2.sf(r["x"], r["df"]),
    "binomcdf": lambda r: stats.binom.cdf(r["k"], r["n"], r["p"]),
    "gammaln": lambda r: special.gammaln(r["x"]),
    "gammaincc": lambda r: special.gammaincc(r["a"], r["x"]),
    "betainc": lambda r: special.betainc(r["a"], r["b"], r["x"]),
    "kstwo_sf": lambda r: stats.kstwo.sf(r["x"], r["n"]),
    "ks_2samp": lambda r: list(stats.ks_2samp(np.array(r["a"], dtype=np.float64), np.array(r["b"], dtype=np.float64))[:2]),
    "norm_ppf": lambda r: stats.norm.ppf(r["p"]),
    "norm_cdf": lambda r: stats.norm.cdf(r["x"]),
    "percentile": lambda r: np.percentile(np.array(r["values"], dtype=np.float64), r["q"] * 100),
}


def main():
    requests = json.load(sys.stdin)
    json.dump([clean(HANDLERS[r["kind"]](r)) for r in requests], sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
