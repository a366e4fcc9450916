//! Interpretation bands: Krippendorff's thresholds for alpha and Landis & Koch (1977) for kappa.

use std::fmt;

use serde::Serialize;

/// Krippendorff's reading of alpha: `≥ 0.800` reliable, `≥ 0.667` tentative conclusions only,
/// otherwise unreliable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlphaBand {
    /// Below 0.667 (also any non-finite input).
    Unreliable,
    /// 0.667 ≤ alpha < 0.800: allows tentative conclusions only.
    Tentative,
    /// alpha ≥ 0.800.
    Reliable,
}

impl AlphaBand {
    /// Band for an alpha value (compared unrounded).
    pub fn of(alpha: f64) -> Self {
        if alpha >= 0.800 {
            Self::Reliable
        } else if alpha >= 0.667 {
            Self::Tentative
        } else {
            Self::Unreliable
        }
    }

    /// Short label: "reliable", "tentative", "unreliable".
    pub fn label(self) -> &'static str {
        match self {
            Self::Reliable => "reliable",
            Self::Tentative => "tentative",
            Self::Unreliable => "unreliable",
        }
    }

    /// One-sentence explanation for reports.
    pub fn description(self) -> &'static str {
        match self {
            Self::Reliable => "alpha ≥ 0.800: ratings are reliable enough to draw conclusions",
            Self::Tentative => "0.667 ≤ alpha < 0.800: allows tentative conclusions only",
            Self::Unreliable => {
                "alpha < 0.667: ratings are not reliable enough to draw conclusions"
            }
        }
    }
}

/// Landis & Koch (1977) bands for kappa-type coefficients.
///
/// Boundaries for unrounded values: `< 0` poor, `≤ 0.20` slight, `≤ 0.40` fair, `≤ 0.60`
/// moderate, `≤ 0.80` substantial, above that almost perfect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KappaBand {
    /// Below 0 (also any non-finite input).
    Poor,
    /// 0 to 0.20.
    Slight,
    /// 0.21 to 0.40.
    Fair,
    /// 0.41 to 0.60.
    Moderate,
    /// 0.61 to 0.80.
    Substantial,
    /// 0.81 to 1.
    AlmostPerfect,
}

impl KappaBand {
    /// Band for a kappa value.
    pub fn of(kappa: f64) -> Self {
        if kappa.is_nan() || kappa < 0.0 {
            Self::Poor
        } else if kappa <= 0.20 {
            Self::Slight
        } else if kappa <= 0.40 {
            Self::Fair
        } else if kappa <= 0.60 {
            Self::Moderate
        } else if kappa <= 0.80 {
            Self::Substantial
        } else {
            Self::AlmostPerfect
        }
    }

    /// Label: "poor", "slight", "fair", "moderate", "substantial", "almost perfect".
    pub fn label(self) -> &'static str {
        match self {
            Self::Poor => "poor",
            Self::Slight => "slight",
            Self::Fair => "fair",
            Self::Moderate => "moderate",
            Self::Substantial => "substantial",
            Self::AlmostPerfect => "almost perfect",
        }
    }
}

impl fmt::Display for AlphaBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl fmt::Display for KappaBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
