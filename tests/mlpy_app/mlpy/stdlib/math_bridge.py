"""ML `math` module (import math; math.sqrt(x))."""

import math as _py_math

from mlpy.stdlib.decorators import ml_function, ml_module


@ml_module(name="math", description="Mathematical functions", capabilities=["math.compute"])
class Math:
    pi = _py_math.pi
    e = _py_math.e

    @ml_function(description="Square root (0 for negative input)", capabilities=["math.compute"])
    def sqrt(self, x):
        return _py_math.sqrt(x) if x >= 0 else 0

    @ml_function(description="Sine", capabilities=["math.compute"])
    def sin(self, x):
        return _py_math.sin(x)

    @ml_function(description="Cosine", capabilities=["math.compute"])
    def cos(self, x):
        return _py_math.cos(x)

    @ml_function(description="Floor", capabilities=["math.compute"])
    def floor(self, x):
        return _py_math.floor(x)

    @ml_function(description="Ceiling", capabilities=["math.compute"])
    def ceil(self, x):
        return _py_math.ceil(x)

    @ml_function(description="x to the power y", capabilities=["math.compute"])
    def pow(self, x, y):
        try:
            return x ** y
        except (OverflowError, ZeroDivisionError):
            return float("inf")


math = Math()
