"""ForestLab: train a random-forest hyperparameter grid ahead of time and publish it as a site."""

__version__ = "0.1.0"
