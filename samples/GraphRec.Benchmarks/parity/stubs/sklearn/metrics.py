def roc_auc_score(*args, **kwargs):
    raise NotImplementedError("AUC is not used in this run")
