# Oracle values for tests/metrics_sklearn.rs (scikit-learn 1.9.1), written to
# tests/data/metrics_sklearn.json:
#   python3 -m venv /tmp/venv-sk && /tmp/venv-sk/bin/pip install scikit-learn numpy
#   /tmp/venv-sk/bin/python tests/data/metrics_sklearn_oracle.py > tests/data/metrics_sklearn.json
import json
import numpy as np
from sklearn.metrics import precision_recall_fscore_support, accuracy_score, f1_score, multilabel_confusion_matrix
cases = {
 "inter_patient_like": [[40000, 1500, 1200, 900, 20], [300, 1300, 200, 30, 7], [150, 40, 2900, 120, 11], [200, 5, 60, 120, 3], [2, 1, 2, 0, 2]],
 "no_predictions_of_f": [[500, 10, 5, 0, 0], [20, 30, 0, 0, 0], [4, 1, 60, 0, 0], [9, 0, 3, 0, 0], [1, 0, 0, 0, 2]],
 "class_without_support": [[100, 3, 2, 4, 0], [5, 20, 0, 1, 0], [2, 0, 30, 0, 0], [1, 0, 2, 6, 0], [0, 0, 0, 0, 0]],
 "perfect": [[50, 0, 0, 0, 0], [0, 7, 0, 0, 0], [0, 0, 9, 0, 0], [0, 0, 0, 3, 0], [0, 0, 0, 0, 1]],
}
rng = np.random.default_rng(20261124)
cases["random_seeded"] = rng.integers(0, 60, size=(5, 5)).tolist()
rows = []
for name, cm in cases.items():
    yt, yp = [], []
    for t in range(5):
        for p in range(5):
            yt += [t] * cm[t][p]; yp += [p] * cm[t][p]
    labels = [0, 1, 2, 3, 4]
    p, r, f, s = precision_recall_fscore_support(yt, yp, labels=labels, zero_division=0)
    mcm = multilabel_confusion_matrix(yt, yp, labels=labels)
    spec = [ (m[0,0] / (m[0,0] + m[0,1])) if (m[0,0] + m[0,1]) > 0 else 0.0 for m in mcm ]
    acc = accuracy_score(yt, yp)
    macro = f1_score(yt, yp, average="macro", zero_division=0)          # labels present in y_true ∪ y_pred
    nsvf = f1_score(yt, yp, labels=[0, 1, 2, 3], average="macro", zero_division=0)
    weighted = f1_score(yt, yp, average="weighted", zero_division=0)
    rows.append({"name": name, "cm": cm, "se": list(map(float, r)), "ppv": list(map(float, p)),
                 "f1": list(map(float, f)), "spec": list(map(float, spec)), "accuracy": float(acc),
                 "macro_f1": float(macro), "macro_f1_nsvf": float(nsvf), "weighted_f1": float(weighted)})
print("[\n" + ",\n".join(" {\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in row.items()) + "\n }" for row in rows) + "\n]")
