"""ML `random` module: seeded pseudo-random numbers (import random;)."""

import random as _py_random

from mlpy.stdlib.decorators import ml_function, ml_module

_generator = _py_random.Random(0)


@ml_module(name="random", description="Pseudo-random numbers", capabilities=["random.generate"])
class Random:
    @ml_function(description="Seed the generator", capabilities=["random.generate"])
    def seed(self, value):
        _generator.seed(value)

    @ml_function(description="Float in [0, 1)", capabilities=["random.generate"])
    def random(self):
        return _generator.random()

    @ml_function(description="Integer in [low, high]", capabilities=["random.generate"])
    def randint(self, low, high):
        return _generator.randint(int(low), int(high))

    @ml_function(description="Random element of an array", capabilities=["random.generate"])
    def choice(self, items):
        return _generator.choice(items)


random = Random()
