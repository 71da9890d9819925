"""ML `collections` module: array helpers (import collections;)."""

from mlpy.stdlib.decorators import ml_function, ml_module


@ml_module(name="collections", description="Array and object helpers", capabilities=[])
class Collections:
    @ml_function(description="Sorted copy of an array")
    def sorted(self, items):
        return sorted(items)

    @ml_function(description="Reversed copy of an array")
    def reversed(self, items):
        return list(reversed(items))

    @ml_function(description="Sum of an array of numbers")
    def sum(self, items):
        return sum(items)

    @ml_function(description="New array with value appended")
    def push(self, items, value):
        return list(items) + [value]

    @ml_function(description="Keys of an object")
    def keys(self, obj):
        return list(obj.keys())

    @ml_function(description="Index of value in array, or -1")
    def index_of(self, items, value):
        return items.index(value) if value in items else -1


collections = Collections()
