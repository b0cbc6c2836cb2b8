"""Layers: the building blocks of models."""
from axon.layers.attention import MultiHeadAttention
from axon.layers.augmentation import RandomFlip, RandomRotation, RandomTranslation, RandomZoom
from axon.layers.base import Layer
from axon.layers.categorical import CategoryEncoding, Discretization, Hashing
from axon.layers.convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)
from axon.layers.core import Activation, Dense, Dropout
from axon.layers.dot_attention import AdditiveAttention, Attention
from axon.layers.embedding import Embedding
from axon.layers.index_lookup import IntegerLookup
from axon.layers.input_layer import Input, InputLayer, KerasTensor
from axon.layers.lambda_layer import Lambda
from axon.layers.masking import Masking
from axon.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from axon.layers.noise import (
    ActivityRegularization,
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from axon.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    UnitNormalization,
)
from axon.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from axon.layers.preprocessing import Normalization, Rescaling
from axon.layers.recurrent import GRU, LSTM, SimpleRNN
from axon.layers.reshaping import Flatten, Identity, Permute, RepeatVector, Reshape
from axon.layers.serialization import deserialize, register_keras_serializable, serialize
from axon.layers.spatial import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from axon.layers.text import StringLookup, TextVectorization
from axon.layers.wrappers import Bidirectional, TimeDistributed

__all__ = ["Layer", "Dense", "Activation", "Dropout", "Lambda", "Flatten", "Reshape", "Input", "InputLayer",
           "KerasTensor", "BatchNormalization", "LayerNormalization", "GroupNormalization",
           "UnitNormalization", "Embedding", "Add",
           "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D",
           "GlobalAveragePooling2D", "UpSampling1D", "UpSampling2D", "ZeroPadding1D",
           "ZeroPadding2D", "Cropping1D", "Cropping2D",
           "Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
           "SeparableConv2D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
           "SimpleRNN", "LSTM", "GRU", "Masking", "Bidirectional", "TimeDistributed",
           "MultiHeadAttention", "Attention", "AdditiveAttention", "Rescaling", "Normalization",
           "RandomFlip", "RandomTranslation",
           "RandomRotation", "RandomZoom", "GaussianNoise", "GaussianDropout", "AlphaDropout",
           "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "ActivityRegularization",
           "Permute", "RepeatVector", "Identity", "MaxPooling3D", "AveragePooling3D",
           "GlobalMaxPooling3D", "GlobalAveragePooling3D", "ZeroPadding3D", "Cropping3D",
           "UpSampling3D", "CategoryEncoding", "Discretization", "Hashing", "IntegerLookup",
           "StringLookup", "TextVectorization",
           "serialize", "deserialize", "register_keras_serializable"]
