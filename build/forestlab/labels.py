"""Display text in Chinese and English, shared by the charts and the generated pages.

Kept apart from `forestlab.charts` so that the MkDocs hook does not import matplotlib.
"""

from __future__ import annotations

TEXT = {
    "accuracy": {"en": "Accuracy", "zh": "准确率"},
    "train": {"en": "Training", "zh": "训练集"},
    "val": {"en": "Validation", "zh": "验证集"},
    "n_trees": {"en": "Number of trees", "zh": "树的数量"},
    "trees_title": {"en": "Score vs number of trees", "zh": "得分与树的数量"},
    "selected": {"en": "selected", "zh": "当前"},
    "unlimited": {"en": "unlimited", "zh": "不限"},
    "none": {"en": "none", "zh": "无"},
    "all": {"en": "all", "zh": "全部"},
    "curve_title": {"en": "Validation curve: {dim}", "zh": "验证曲线：{dim}"},
    "learning_title": {"en": "Learning curve", "zh": "学习曲线"},
    "train_rows": {"en": "Training rows", "zh": "训练行数"},
    "confusion_title": {"en": "Confusion matrix (validation)", "zh": "混淆矩阵（验证集）"},
    "true": {"en": "True class", "zh": "真实类别"},
    "predicted": {"en": "Predicted class", "zh": "预测类别"},
    "importance_title": {"en": "Feature importance", "zh": "特征重要性"},
    "importance": {"en": "Mean decrease in impurity", "zh": "平均不纯度下降"},
    "roc_title": {"en": "ROC curve (validation)", "zh": "ROC 曲线（验证集）"},
    "fpr": {"en": "False positive rate", "zh": "假阳性率"},
    "tpr": {"en": "True positive rate", "zh": "真阳性率"},
    "chance": {"en": "chance", "zh": "随机猜测"},
    "n_estimators": {"en": "Number of trees", "zh": "树的数量"},
    "max_depth": {"en": "Maximum depth", "zh": "最大深度"},
    "max_features": {"en": "Features per split", "zh": "每次分裂的特征数"},
    "min_samples_leaf": {"en": "Minimum leaf size", "zh": "叶子最少样本数"},
    "sample_fraction": {"en": "Share of training rows", "zh": "训练样本比例"},
    "class_weight": {"en": "Class weight", "zh": "类别权重"},
    "criterion": {"en": "Split criterion", "zh": "分裂标准"},
    "top_k_features": {"en": "Top-k features", "zh": "最重要的前 k 个特征"},
}


def t(key: str, lang: str, **fmt) -> str:
    return TEXT[key][lang].format(**fmt)


def value_label(dim: str, value, lang: str) -> str:
    if value is None:
        return t(
            "unlimited" if dim == "max_depth" else "all" if dim == "top_k_features" else "none",
            lang,
        )
    return str(value)
