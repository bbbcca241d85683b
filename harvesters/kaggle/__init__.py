"""Kaggle Models harvester: the ListModels API the current Kaggle SDK speaks."""
