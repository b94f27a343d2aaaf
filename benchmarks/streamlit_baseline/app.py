"""The Streamlit teaching app that ForestLab replaces, rebuilt for side-by-side benchmarks.

It behaves like the original: every interaction trains a RandomForestClassifier with the
student's slider values on `splits/train.csv` (a held-out validation split), then shows the
validation accuracy, a confusion matrix and a feature-importance chart drawn with matplotlib.
It carries that app's own memory fixes, so the comparison is with its best version:
- `@st.cache_data(ttl=3600, max_entries=1)` on loading;
- only `y_val.tolist()` kept in `st.session_state`;
- `plt.close(fig)` and `del` after each chart, then `gc.collect()`;
- `n_jobs=2`, `max_samples=0.8`, and OMP/OPENBLAS/MKL threads limited to 2;
- an optional row sample: FORESTLAB_BASELINE_ROWS=N trains on N rows.

Run: `streamlit run benchmarks/streamlit_baseline/app.py` (the benchmark starts it itself).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "2"

import gc  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.metrics import accuracy_score, confusion_matrix  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

TRAIN_CSV = Path(
    os.environ.get("FORESTLAB_BASELINE_CSV", Path(__file__).parents[2] / "splits" / "train.csv")
)
TARGET = os.environ.get("FORESTLAB_BASELINE_TARGET", "survived")


@st.cache_data(ttl=3600, max_entries=1)
def load(path: str, rows: int | None):
    frame = pd.read_csv(path)
    if rows:
        frame = frame.sample(n=min(rows, len(frame)), random_state=0)
    X = pd.get_dummies(frame.drop(columns=[TARGET]), dtype=float).fillna(0.0)
    y = frame[TARGET]
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


rows = (
    int(os.environ["FORESTLAB_BASELINE_ROWS"])
    if os.environ.get("FORESTLAB_BASELINE_ROWS")
    else None
)
X_train, X_val, y_train, y_val = load(str(TRAIN_CSV), rows)
st.session_state["y_val"] = y_val.tolist()

st.title("Random forest hyperparameters")
n_estimators = st.slider("Number of trees", 10, 300, 100, step=10)
max_depth = st.slider("Maximum depth", 1, 20, 8)
min_samples_leaf = st.slider("Minimum leaf size", 1, 20, 1)

model = RandomForestClassifier(
    n_estimators=n_estimators,
    max_depth=max_depth,
    min_samples_leaf=min_samples_leaf,
    max_samples=0.8,
    n_jobs=2,
    random_state=0,
)
model.fit(X_train, y_train)
predicted = model.predict(X_val)
st.metric("Validation accuracy", f"{accuracy_score(st.session_state['y_val'], predicted):.3f}")

fig, ax = plt.subplots(figsize=(4, 3))
ax.imshow(confusion_matrix(st.session_state["y_val"], predicted), cmap="Blues")
ax.set_title("Confusion matrix (validation)")
st.pyplot(fig)
plt.close(fig)
del fig, ax

fig, ax = plt.subplots(figsize=(5, 3))
order = model.feature_importances_.argsort()
ax.barh([X_train.columns[i] for i in order], model.feature_importances_[order])
ax.set_title("Feature importance")
st.pyplot(fig)
plt.close(fig)
del fig, ax, model, predicted
gc.collect()
# The last element: when it shows a new count, this run's result is on the student's screen
# (the benchmark's students wait for it).
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
st.caption(f"Runs in this session: {st.session_state['runs']}")
